/// A change in the member list, for the agent and the admin API.
public enum MembershipEvent: Sendable, Hashable {
    /// A new member, or a dead/left one back with a higher incarnation.
    case joined(Member)
    /// A known live member's alive statement changed (new incarnation or metadata).
    case updated(Member)
    /// A member became suspect.
    case suspected(Member)
    /// A member was declared dead.
    case failed(Member)
    /// A member left gracefully or was force-left; also this node once its own leave completes.
    case left(Member)
    /// A tombstone was removed after `deadReapTime`.
    case reaped(NodeID)
    /// This node refuted a suspicion or death by moving to `incarnation`.
    case refuted(incarnation: UInt64)
}
