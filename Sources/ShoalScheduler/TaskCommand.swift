public import ShoalMembership
public import ShoalObjects

/// One entry of the task table's log. The leader proposes them; every replica applies the same
/// ones in the same order (`TaskTable.apply`), so they carry every value the change needs,
/// times included.
public enum TaskCommand: Hashable, Sendable {
    /// New tasks (one submission; dependencies among them allowed, cycles refused).
    case submit([TaskSubmission], at: Int64)
    /// The placement batch: each pending task named goes to its node as the next attempt.
    case assign([TaskAssignment], term: UInt64, at: Int64)
    /// Why each of these pending tasks could not be placed yet (shown to users).
    case unplaceable([TaskID: String])
    /// The node running `attempt` of `task` started its process.
    case started(task: TaskID, attempt: Int, node: NodeID, at: Int64)
    /// `attempt` of `task` ended on `node`.
    case finished(TaskResult, at: Int64)
    /// A user cancelled these tasks.
    case cancel([TaskID], at: Int64)
    /// Membership reported `node` dead or gone: its assigned and running attempts are lost.
    case nodeLost(NodeID, at: Int64)
    /// The final tasks that ended before `endedBefore` leave the table, except those an
    /// unfinished task still waits on (the leader's retention of results; the objects they
    /// stored stay).
    case forget(endedBefore: Int64)
}

/// One task of a submission.
public struct TaskSubmission: Hashable, Sendable {
    /// Its id (chosen by the agent that accepted it).
    public let id: TaskID
    /// Its spec, already validated by that agent (and checked again when applied).
    public let spec: TaskSpec

    /// A task to submit.
    public init(id: TaskID, spec: TaskSpec) {
        self.id = id
        self.spec = spec
    }
}

/// One placement decision, as committed.
public struct TaskAssignment: Hashable, Sendable {
    /// The task.
    public let task: TaskID
    /// The attempt this starts: the task's attempts so far plus one.
    public let attempt: Int
    /// Where it runs.
    public let node: NodeID

    /// An assignment of the next attempt of `task` to `node`.
    public init(task: TaskID, attempt: Int, node: NodeID) {
        self.task = task
        self.attempt = attempt
        self.node = node
    }
}

/// How an attempt ended, as its node reports it.
public struct TaskResult: Hashable, Sendable {
    /// The task.
    public let task: TaskID
    /// The attempt the node ran; a result for any other attempt is ignored.
    public let attempt: Int
    /// The term the attempt was assigned in; a result for another is ignored.
    public let term: UInt64
    /// The node that ran it; a result from another is ignored.
    public let node: NodeID
    /// The exit status (nil when the process never ran or was killed by the agent).
    public let exitCode: Int32?
    /// Why it failed, when it did for a reason other than its exit status.
    public let failure: String?
    /// The stored outputs, `stdout` and `stderr` included.
    public let outputs: [String: ObjectID]
    /// When the node started the process, if it did: the attempt's start time when no
    /// `started` entry recorded it first (a node reports `started` only for a process still
    /// running after a moment).
    public let startedAt: Int64?

    /// A result as the running node reports it.
    public init(
        task: TaskID, attempt: Int, term: UInt64, node: NodeID, exitCode: Int32?, failure: String? = nil, outputs: [String: ObjectID] = [:],
        startedAt: Int64? = nil
    ) {
        self.task = task
        self.attempt = attempt
        self.term = term
        self.node = node
        self.exitCode = exitCode
        self.failure = failure
        self.outputs = outputs
        self.startedAt = startedAt
    }

    /// Exit 0 with no failure reported.
    public var succeeded: Bool { exitCode == 0 && failure == nil }
}
