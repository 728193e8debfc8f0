public import ShoalMembership

/// What applying one entry changed: the shell acts on these (an agent starts what was assigned
/// to it, kills what was cancelled, wakes `shoal wait`).
public enum TaskEvent: Hashable, Sendable {
    /// The submission was refused as a whole; nothing was added.
    case rejected(TaskSpecError)
    /// A task now exists, pending.
    case submitted(TaskID)
    /// An attempt was assigned: `node` should start it.
    case assigned(TaskID, attempt: Int, node: NodeID, term: UInt64)
    /// A pending task has a new reason for waiting (shown by `shoal task ID`).
    case waiting(TaskID, reason: String)
    /// An attempt's process started.
    case started(TaskID, attempt: Int)
    /// The task reached a final state.
    case ended(TaskID, TaskState)
    /// An attempt ended but the task will run again after `notBefore`.
    case retrying(TaskID, attempt: Int, notBefore: Int64)
    /// A running attempt was cancelled: `node` should kill it.
    case kill(TaskID, attempt: Int, node: NodeID)
    /// A final task left the table (`TaskCommand.forget`).
    case forgotten(TaskID)
    /// A stale or duplicate entry changed nothing (a result for an old attempt, an assignment
    /// of a task no longer pending).
    case ignored(TaskID, why: String)
}
