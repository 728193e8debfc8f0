/// Who votes and who only follows the log (thesis §4.1 voters; §4.2.1 and etcd raft learners,
/// the "standbys" of DESIGN "Consensus and leadership").
///
/// Both lists are kept sorted and disjoint, so iteration order is the same on every node and a
/// seeded run replays exactly.
public struct Configuration: Sendable, Hashable, CustomStringConvertible {
    /// Members whose votes and acknowledgements count toward quorums.
    public private(set) var voters: [ReplicaID]
    /// Members that receive the log but never vote, campaign or count toward a quorum.
    public private(set) var learners: [ReplicaID]

    /// A configuration; a learner that is also listed as a voter is a voter.
    public init(voters: [ReplicaID], learners: [ReplicaID] = []) {
        self.voters = Array(Set(voters)).sorted()
        self.learners = Array(Set(learners).subtracting(voters)).sorted()
    }

    /// No members: the state of a node that has not yet heard from any leader.
    public static let empty = Configuration(voters: [])

    /// The majority of the voters (Raft §5.2): ⌊n/2⌋ + 1.
    public var quorum: Int { voters.count / 2 + 1 }

    /// True if `id` votes.
    public func isVoter(_ id: ReplicaID) -> Bool { voters.contains(id) }

    /// True if `id` votes or learns.
    public func contains(_ id: ReplicaID) -> Bool { voters.contains(id) || learners.contains(id) }

    /// Voters then learners: everyone a leader replicates to.
    public var members: [ReplicaID] { voters + learners }

    /// The configuration after `change`, or why `change` cannot be made (thesis §4.1: one
    /// server at a time, so every old and new majority overlap).
    public func applying(_ change: ConfigurationChange) throws(ConsensusError) -> Configuration {
        switch change {
        case .addVoter(let id):
            guard !isVoter(id) else { throw .invalidConfigurationChange("\(id) is already a voter") }
            return Configuration(voters: voters + [id], learners: learners.filter { $0 != id })
        case .addLearner(let id):
            guard !learners.contains(id) else { throw .invalidConfigurationChange("\(id) is already a learner") }
            guard !isVoter(id) || voters.count > 1 else { throw .invalidConfigurationChange("cannot demote the last voter \(id)") }
            return Configuration(voters: voters.filter { $0 != id }, learners: learners + [id])
        case .remove(let id):
            guard contains(id) else { throw .invalidConfigurationChange("\(id) is not a member") }
            guard !isVoter(id) || voters.count > 1 else { throw .invalidConfigurationChange("cannot remove the last voter \(id)") }
            return Configuration(voters: voters.filter { $0 != id }, learners: learners.filter { $0 != id })
        }
    }

    /// "voters [a, b] learners [c]", ids in short form.
    public var description: String { "voters \(voters) learners \(learners)" }
}

/// One single-server change (thesis §4.1). Promoting a learner is `addVoter`; demoting a voter
/// to a standby is `addLearner`.
public enum ConfigurationChange: Sendable, Hashable {
    /// Makes `id` a voter (a new node, or a learner that has caught up).
    case addVoter(ReplicaID)
    /// Makes `id` a learner (a new standby, or a demoted voter).
    case addLearner(ReplicaID)
    /// Takes `id` out of the group.
    case remove(ReplicaID)
}
