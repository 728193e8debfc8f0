public import ShoalMembership

/// What must happen to one object after the alive set changed (or on a periodic check), as
/// `RepairPlanner.plan` computes it. The shell carries it out and reports what it did by
/// updating the holder set it passes next time; a plan with nothing to do is `isSettled`.
///
/// Order: copies first; directory moves alongside them; drops only ever appear once every home
/// holds a copy, so carrying out a plan never takes an object below its factor.
public struct RepairPlan: Hashable, Sendable {
    /// One whole-object copy: `to` (a home without a copy) pulls the object from `from` (an
    /// alive holder).
    public struct Copy: Hashable, Sendable {
        /// An alive node that holds the whole object.
        public let from: NodeID
        /// A home that does not hold it yet.
        public let to: NodeID
    }

    /// One change to where the object's directory (who holds it) is kept.
    public enum DirectoryMove: Hashable, Sendable {
        /// `from`, an alive previous home, sends its directory entry to `to`, a new home.
        case handOff(from: NodeID, to: NodeID)
        /// No previous home survives: `at`, a new home, rebuilds the entry from holders' reports.
        case rebuild(at: NodeID)
        /// `at` was a home and no longer is: it may forget the entry once its hand-offs are done.
        case retire(at: NodeID)
    }

    /// The object planned for.
    public let object: ObjectID
    /// Its homes under the current alive set, best first (`Rendezvous.homes`).
    public let homes: [NodeID]
    /// Copies that bring every home a replica, spread over the alive holders.
    public let copies: [Copy]
    /// Directory moves from the previous homes to the new ones.
    public let directory: [DirectoryMove]
    /// Alive holders that are not homes and may drop their copy: listed only when every home
    /// already holds one, so the factor is met without them.
    public let drops: [NodeID]
    /// True when no alive node holds the object: nothing can be copied, the object is lost
    /// until a holder comes back.
    public let isLost: Bool

    /// True when nothing is left to do: every home holds a copy, the directory is where the
    /// homes are, and no surplus copy remains.
    public var isSettled: Bool { copies.isEmpty && directory.isEmpty && drops.isEmpty && !isLost }
}
