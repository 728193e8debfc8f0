/// Why durable Raft storage could not open or write. Each message says what is wrong, where,
/// and what the operator can do; none of them is ever answered by silently dropping entries.
public enum RaftStorageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A record that is not the torn end of the last segment failed its checks.
    case corruptRecord(segment: String, offset: Int, reason: String)
    /// Segment numbers are not consecutive: one in the middle is gone.
    case missingSegment(directory: String, expectedSequence: UInt64, found: String)
    /// Entries are missing: a gap between records, or the oldest segments removed by hand.
    case missingEntries(segment: String, offset: Int, expected: UInt64, found: UInt64)
    /// The oldest retained segment starts after entries that no snapshot covers.
    case uncoveredPrefix(directory: String, from: UInt64, through: UInt64)
    /// The file system is full (or a quota or file-size limit was hit); nothing was stored.
    case diskFull(path: String)
    /// A system call failed.
    case io(path: String, operation: String, reason: String)
    /// fsync failed: what the kernel holds is unknown, so the node must stop.
    case syncFailed(path: String, reason: String)
    /// Another process holds the log directory.
    case locked(directory: String)
    /// The caller asked for something the log cannot represent (a bug in the caller).
    case invalidRequest(String)
    /// A single record larger than the limit.
    case recordTooLarge(bytes: Int, limit: Int)

    private static let restore =
        "shoal stopped rather than lose entries. Restore this node's raft directory from a backup, or move it aside so the node rejoins empty and the leader sends it a snapshot"

    public var description: String {
        switch self {
        case .corruptRecord(let segment, let offset, let reason):
            "raft log corrupt: \(segment) at byte \(offset): \(reason); valid records may follow, so it is not a torn write. \(Self.restore)"
        case .missingSegment(let directory, let expected, let found):
            "raft log segment \(String(expected, radix: 16)) is missing from \(directory) (the next one present is \(found)). \(Self.restore)"
        case .missingEntries(let segment, let offset, let expected, let found):
            "raft log has a gap: \(segment) at byte \(offset) holds entry \(found) where entry \(expected) was due. \(Self.restore)"
        case .uncoveredPrefix(let directory, let from, let through):
            "raft log in \(directory) lacks entries \(from)…\(through): older segments were removed without a snapshot covering them. \(Self.restore)"
        case .diskFull(let path):
            "no space left writing \(path): the batch was not stored and the log is unchanged; free space on that file system (or raise the quota) and restart the node"
        case .io(let path, let operation, let reason):
            "cannot \(operation) \(path): \(reason)"
        case .syncFailed(let path, let reason):
            "fsync of \(path) failed: \(reason); what reached the disk is unknown, so the node must stop and restart from what is stored (check the disk: dmesg)"
        case .locked(let directory):
            "raft log \(directory) is in use by another process (is another shoal agent running with this --state-dir?)"
        case .invalidRequest(let reason):
            "invalid raft storage request: \(reason)"
        case .recordTooLarge(let bytes, let limit):
            "a raft log record of \(bytes) bytes exceeds the \(limit)-byte limit; keep snapshots small (store large state as an object and snapshot its id)"
        }
    }
}
