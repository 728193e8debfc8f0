/// How a new group is founded without naming anyone in advance (DESIGN: bootstrap on
/// `bootstrap_expect`): pure rules, which the agent's shell applies to what membership reports
/// and to the answers peers send.
///
/// Once a node sees at least `expect` alive members and none of them is in a group, the
/// founders are the `expect` lowest ids it sees, and the lowest of those coordinates: it
/// asks each founder for a durable promise to found exactly that group with it, and every
/// other alive member whether it is in a group already. It founds the group only when every
/// founder has promised and no one is a member or promised elsewhere; otherwise it releases
/// the promises it got and tries again later.
///
/// Safety: a node holds at most one promise at a time and keeps it across restarts, a group is
/// founded only when every founder holds its promise, and a founder joins it only on hearing
/// Raft from one of its founders (the coordinator speaks first). So two groups can be founded
/// only from disjoint sets of founders, which needs two sets of nodes that do not see each other
/// at all (they joined through different seeds): the same limit as Consul's `bootstrap_expect`.
public enum Bootstrap {
    /// A node's standing towards founding a group.
    public enum Standing: Sendable, Hashable {
        /// In no group and promised to no one.
        case free
        /// Promised to found `promise.voters` with `promise.coordinator`.
        case promised(Promise)
        /// A replica of a group (its log is not empty).
        case member
    }

    /// One durable promise: found exactly these voters, with this coordinator.
    public struct Promise: Sendable, Hashable, CustomStringConvertible {
        public var coordinator: ReplicaID
        /// Ascending, without repeats, and containing the coordinator.
        public var voters: [ReplicaID]

        public init(coordinator: ReplicaID, voters: [ReplicaID]) {
            self.coordinator = coordinator
            self.voters = voters
        }

        public var description: String { "found \(voters) with \(coordinator)" }
    }

    /// What a node that sees `alive` (itself included, in any order) should do.
    public enum Plan: Sendable, Hashable {
        /// Fewer than `expect` alive members: wait for more.
        case wait(seen: Int)
        /// Another node coordinates: wait for its ask.
        case follow(coordinator: ReplicaID)
        /// This node coordinates: ask `founders` for promises and `others` for their standing.
        case coordinate(founders: [ReplicaID], others: [ReplicaID])
    }

    /// The plan of `me` among `alive`, founding `expect` voters.
    public static func plan(me: ReplicaID, alive: [ReplicaID], expect: Int) -> Plan {
        let everyone = Array(Set(alive + [me])).sorted()
        guard expect >= 1, everyone.count >= expect else { return .wait(seen: everyone.count) }
        let founders = Array(everyone.prefix(expect))
        guard founders[0] == me else { return .follow(coordinator: founders[0]) }
        return .coordinate(founders: founders, others: Array(everyone.dropFirst(expect)))
    }

    /// A node's answer to an ask from `coordinator` for `voters`, and its standing afterwards.
    ///
    /// A free node promises when asked to (`promise`) if the ask is well formed: the voters
    /// ascending and distinct, the coordinator the lowest of them, and `me` among them. It
    /// answers the same promise again to the same ask (a retry), and any other ask with its
    /// standing, which the asker takes as a refusal.
    public static func answer(
        ask voters: [ReplicaID], from coordinator: ReplicaID, promise: Bool, me: ReplicaID, standing: Standing
    ) -> Standing {
        guard case .free = standing else { return standing }
        guard promise, isWellFormed(voters: voters, coordinator: coordinator), voters.contains(me) else { return .free }
        return .promised(Promise(coordinator: coordinator, voters: voters))
    }

    /// The standing after `coordinator` released its attempt at `voters`: free again if the
    /// promise was exactly that one.
    public static func release(voters: [ReplicaID], from coordinator: ReplicaID, standing: Standing) -> Standing {
        guard case .promised(let promise) = standing, promise == Promise(coordinator: coordinator, voters: voters) else {
            return standing
        }
        return .free
    }

    /// What the coordinator of `founders` concludes from the answers (by node; `me` answers
    /// for itself with its own promise).
    public enum Outcome: Sendable, Hashable {
        /// Every founder promised this group and nobody else is in or promised to another: found it.
        case found
        /// Some node is already in a group: this node joins it (its leader will add it).
        case join
        /// An answer is missing or a promise went elsewhere: release, wait, plan again.
        case retry
    }

    public static func outcome(me: ReplicaID, founders: [ReplicaID], answers: [ReplicaID: Standing]) -> Outcome {
        if answers.values.contains(.member) { return .join }
        let mine = Promise(coordinator: me, voters: founders)
        for founder in founders where answers[founder] != .promised(mine) { return .retry }
        for (node, standing) in answers where !founders.contains(node) {
            if case .promised = standing { return .retry }
        }
        return .found
    }

    /// Whether Raft traffic from `sender` founds the promised group at this node: it must come
    /// from one of the promise's voters (only founders of a founded group speak Raft to it).
    public static func founds(_ promise: Promise, heardFrom sender: ReplicaID) -> Bool {
        promise.voters.contains(sender)
    }

    /// The most founders a group has (`bootstrap_expect` is 1 to 5, as voters are at most 5).
    public static let maximumFounders = 5

    /// At most `maximumFounders` voters, ascending and distinct, with `coordinator` the lowest.
    /// An ask that is not (a certified peer's, with thousands of ids) is refused before anything
    /// is stored.
    public static func isWellFormed(voters: [ReplicaID], coordinator: ReplicaID) -> Bool {
        guard voters.count <= maximumFounders, let first = voters.first, first == coordinator else { return false }
        return zip(voters, voters.dropFirst()).allSatisfy { $0 < $1 }
    }
}
