public import ShoalMembership

/// The typed membership feed other subsystems build on (objects place replicas by it,
/// leadership chooses voters from it, `/v1/monitor` streams it): a snapshot of every member
/// and, after it, every change in order. Nothing is dropped for an in-process subscriber; a
/// subscriber that asks for a bound (an HTTP client that may stall) keeps only the newest.
public enum MembershipFeed {
    /// One change to the member table, as the core reported it.
    public struct Change: Sendable, Equatable {
        public enum Kind: String, Sendable {
            case joined, updated, suspected, failed, left, reaped, refuted
        }

        public var kind: Kind
        /// The member as it is after the change; nil for `reaped` and `refuted`.
        public var member: Member?
        /// The member the change is about (this node for `refuted`).
        public var id: NodeID
        /// Our new incarnation, for `refuted`.
        public var incarnation: UInt64?
        /// Position in this node's feed: strictly increasing, starting after the snapshot's.
        public var version: UInt64
    }

    /// What a subscriber gets: the table at `version`, then every change after it.
    public struct Subscription: Sendable {
        public let snapshot: [Member]
        public let version: UInt64
        public let changes: AsyncStream<Change>
    }
}

extension MembershipService {
    /// Subscribes to the feed. The snapshot and the registration happen in one actor turn, so
    /// the first change delivered is the first after the snapshot. `bound` nil keeps every change.
    func subscribeFeed(bound: Int? = nil) -> MembershipFeed.Subscription {
        let (stream, continuation) = AsyncStream.makeStream(
            of: MembershipFeed.Change.self, bufferingPolicy: bound.map { .bufferingNewest($0) } ?? .unbounded)
        let id = nextSubscriber
        nextSubscriber += 1
        feedSubscribers[id] = continuation
        if stopping { continuation.finish() }
        return MembershipFeed.Subscription(snapshot: core.members, version: feedVersion, changes: stream)
    }

    /// Hands one change to every subscriber; ones that went away are forgotten here.
    @discardableResult
    func publish(_ kind: MembershipFeed.Change.Kind, member: Member?, id: NodeID, incarnation: UInt64? = nil) -> MembershipFeed.Change {
        feedVersion += 1
        let change = MembershipFeed.Change(kind: kind, member: member, id: id, incarnation: incarnation, version: feedVersion)
        for (subscriber, continuation) in feedSubscribers {
            if case .terminated = continuation.yield(change) { feedSubscribers[subscriber] = nil }
        }
        return change
    }

    /// Ends every subscription (shutdown): streams such as `/v1/monitor` finish instead of holding the agent open.
    func finishFeed() {
        for continuation in feedSubscribers.values { continuation.finish() }
        feedSubscribers = [:]
    }
}
