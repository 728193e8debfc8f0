public import ShoalObjects

/// Everything the cluster knows of one task: its spec, its state, every attempt, its results.
public struct TaskRecord: Hashable, Sendable {
    /// The task.
    public let id: TaskID
    /// What was submitted.
    public let spec: TaskSpec
    /// Where it is now.
    public internal(set) var state: TaskState
    /// Every attempt, oldest first; the last is the current one.
    public internal(set) var attempts: [TaskAttempt] = []
    /// When it was submitted (leader's clock, ms since 1970).
    public let submittedAt: Int64
    /// Submission order: the tie-break among equal priorities.
    public let sequence: UInt64
    /// A pending task is not placed before this time (the retry backoff).
    public internal(set) var notBefore: Int64
    /// Why a pending task is still pending, or why a task failed without an attempt.
    public internal(set) var reason: String?
    /// The stored outputs of the succeeded attempt, by path, `stdout` and `stderr` included.
    public internal(set) var outputs: [String: ObjectID] = [:]
    /// When it reached its final state.
    public internal(set) var endedAt: Int64?

    /// The current attempt, if it has had one.
    public var currentAttempt: TaskAttempt? { attempts.last }
}

extension TaskRecord {
    /// A record as a snapshot kept it (the table's own transitions make every other one).
    public init(
        restoring id: TaskID, spec: TaskSpec, state: TaskState, attempts: [TaskAttempt], submittedAt: Int64, sequence: UInt64, notBefore: Int64,
        reason: String?, outputs: [String: ObjectID], endedAt: Int64?
    ) {
        self.id = id
        self.spec = spec
        self.state = state
        self.attempts = attempts
        self.submittedAt = submittedAt
        self.sequence = sequence
        self.notBefore = notBefore
        self.reason = reason
        self.outputs = outputs
        self.endedAt = endedAt
    }
}
