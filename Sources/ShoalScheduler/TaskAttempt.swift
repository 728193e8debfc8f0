public import ShoalMembership
public import ShoalObjects

/// One try at running a task: where, under which leader, and how it ended. Times are the
/// leader's wall clock in milliseconds since 1970, carried in the entries, so every replica
/// applies the same values.
public struct TaskAttempt: Hashable, Sendable {
    /// 1 for the first attempt, then one more for each retry.
    public let number: Int
    /// The node chosen for it.
    public let node: NodeID
    /// The Raft term of the leader that assigned it (a node refuses assignments of older terms).
    public let term: UInt64
    /// When it was assigned.
    public let assignedAt: Int64
    /// When the node said the process started.
    public internal(set) var startedAt: Int64?
    /// When it ended, however it ended.
    public internal(set) var endedAt: Int64?
    /// The process's exit status (128 + signal when a signal ended it), if it ran to an end.
    public internal(set) var exitCode: Int32?
    /// Why it ended, when not by exiting 0 (`timed out after 10 s`, `node lost`, …).
    public internal(set) var reason: String?
    /// What the node stored when the attempt ended, whether or not it succeeded: its outputs
    /// and its `stdout` and `stderr` (so a failed attempt's logs can still be read).
    public internal(set) var outputs: [String: ObjectID] = [:]

    init(number: Int, node: NodeID, term: UInt64, assignedAt: Int64) {
        self.number = number
        self.node = node
        self.term = term
        self.assignedAt = assignedAt
    }
}

extension TaskAttempt {
    /// An attempt as a snapshot kept it.
    public init(
        number: Int, node: NodeID, term: UInt64, assignedAt: Int64, startedAt: Int64?, endedAt: Int64?, exitCode: Int32?, reason: String?,
        outputs: [String: ObjectID] = [:]
    ) {
        self.init(number: number, node: node, term: term, assignedAt: assignedAt)
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.exitCode = exitCode
        self.reason = reason
        self.outputs = outputs
    }
}
