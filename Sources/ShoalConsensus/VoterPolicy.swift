/// Which members vote (DESIGN: "Who votes"): a pure rule the leader applies to its
/// configuration and to what membership reports, one change at a time.
///
/// At most 5 voters, 3 while fewer than 5 members are healthy; new voters are the
/// longest-lived healthy members, spread across zones when members have one. A newcomer is
/// first a learner (a standby that receives the log) and is promoted once it has caught up, so
/// a promotion never stalls commits. A voter reported unhealthy for `grace` is removed, and a
/// replacement follows. Nothing changes within `settle` of the previous change, the leader is
/// never removed, and a removal happens only if the voters left healthy are a quorum of the
/// smaller group.
public struct VoterPolicy: Sendable, Hashable {
    /// The most voters a group has.
    public var maximumVoters = 5
    /// Voters while fewer than `maximumVoters` members are healthy.
    public var smallVoters = 3
    /// Time between two changes.
    public var settle: Duration = .seconds(2)
    /// How long a voter may be unhealthy before it is replaced.
    public var grace: Duration = .seconds(10)

    public init() {}

    /// One member as the leader sees it.
    public struct Candidate: Sendable, Hashable {
        public var id: ReplicaID
        /// Alive in membership now.
        public var healthy: Bool
        /// When it last became alive (healthy) or unhealthy, on the caller's clock.
        public var since: Duration
        /// Its `zone` label, if any.
        public var zone: String?
        /// A learner whose log has reached the leader's commit index.
        public var caughtUp: Bool

        public init(id: ReplicaID, healthy: Bool, since: Duration, zone: String? = nil, caughtUp: Bool = false) {
            self.id = id
            self.healthy = healthy
            self.since = since
            self.zone = zone
            self.caughtUp = caughtUp
        }
    }

    /// The voters a group of `healthy` healthy members should have.
    public func target(healthy: Int) -> Int { healthy >= maximumVoters ? maximumVoters : smallVoters }

    /// The next change for `configuration`, led by `leader`, or nil. `lastChange` is when the
    /// previous change was made (nil: none yet); `candidates` lists every member the leader
    /// knows, itself included.
    public func next(
        configuration: Configuration, leader: ReplicaID, candidates: [Candidate], now: Duration, lastChange: Duration?
    ) -> ConfigurationChange? {
        if let lastChange, now - lastChange < settle { return nil }
        let byID = Dictionary(candidates.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        func healthy(_ id: ReplicaID) -> Bool { id == leader || byID[id]?.healthy == true }
        func failedLong(_ id: ReplicaID) -> Bool {
            guard id != leader else { return false }
            guard let candidate = byID[id] else { return true }  // gone from membership (reaped)
            return !candidate.healthy && now - candidate.since >= grace
        }
        let voters = configuration.voters
        let healthyVoters = voters.filter(healthy)
        let goal = target(healthy: candidates.filter(\.healthy).count + (byID[leader] == nil ? 1 : 0))

        // A learner that failed is dropped; it was only a standby.
        if let learner = configuration.learners.first(where: { !healthy($0) }) { return .remove(learner) }
        // A voter gone for longer than the grace period is removed, if the rest still commit.
        if let failed = voters.first(where: failedLong),
            healthyVoters.count >= (voters.count - 1) / 2 + 1
        {
            return .remove(failed)
        }
        if voters.count < goal {
            // A standby that has caught up is promoted; otherwise the best newcomer becomes one.
            if let ready = configuration.learners.filter({ byID[$0]?.caughtUp == true }).min(by: { order(byID[$0]!, byID[$1]!) }) {
                return .addVoter(ready)
            }
            if configuration.learners.isEmpty, let newcomer = best(candidates.filter { $0.healthy && !configuration.contains($0.id) }, beside: voters, byID) {
                return .addLearner(newcomer.id)
            }
            return nil
        }
        if voters.count > goal {
            // Too many for the healthy group: the unhealthy voter, else the youngest, steps down.
            let removable = voters.filter { $0 != leader }
            let victim = removable.first { !healthy($0) }
                ?? removable.compactMap { byID[$0] }.max(by: { order($0, $1) })?.id
            if let victim, healthyVoters.filter({ $0 != victim }).count >= (voters.count - 1) / 2 + 1 { return .remove(victim) }
        }
        // Standbys beyond what a promotion needs are dropped.
        if voters.count >= goal, let learner = configuration.learners.first { return .remove(learner) }
        return nil
    }

    /// Longest-lived first, then by id: every leader ranks members the same way.
    private func order(_ a: Candidate, _ b: Candidate) -> Bool { a.since != b.since ? a.since < b.since : a.id < b.id }

    /// The longest-lived candidate, preferring a zone the voters do not cover yet.
    private func best(_ pool: [Candidate], beside voters: [ReplicaID], _ byID: [ReplicaID: Candidate]) -> Candidate? {
        let covered = Set(voters.compactMap { byID[$0]?.zone })
        let fresh = pool.filter { $0.zone != nil && !covered.contains($0.zone!) }
        return (fresh.isEmpty ? pool : fresh).min(by: order)
    }
}
