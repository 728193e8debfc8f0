/// Why a request to `Raft` was refused. Each says what the caller can do next.
public enum ConsensusError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Only the leader accepts proposals; forward to `leader` if known, else retry after an
    /// election (thesis §6.2).
    case notLeader(leader: ReplicaID?)
    /// A leadership transfer is under way; retry at the new leader (thesis §3.10).
    case transferInProgress
    /// A configuration change is not yet committed; one at a time (thesis §4.1).
    case configurationChangeInProgress
    /// The leader has not yet committed an entry of its own term; retry shortly (thesis §4.1
    /// safety fix, §6.4 step 1).
    case leaderNotReady
    /// The change makes no sense for the current configuration.
    case invalidConfigurationChange(String)
    /// The transfer target is not a voter.
    case notAVoter(ReplicaID)
    /// A snapshot can only be taken at an applied index beyond the current one.
    case snapshotOutOfRange(LogIndex)

    /// A sentence for logs and the admin API.
    public var description: String {
        switch self {
        case .notLeader(let leader?): "not the leader (forward to \(leader))"
        case .notLeader(nil): "not the leader and no leader known (retry after the election)"
        case .transferInProgress: "leadership is being transferred (retry at the new leader)"
        case .configurationChangeInProgress: "another voter change is not yet committed (retry after it)"
        case .leaderNotReady: "the new leader has not committed an entry of its term yet (retry shortly)"
        case .invalidConfigurationChange(let reason): "invalid configuration change: \(reason)"
        case .notAVoter(let id): "\(id) is not a voter and cannot lead"
        case .snapshotOutOfRange(let index): "cannot snapshot at \(index): it must be applied and beyond the current snapshot"
        }
    }
}
