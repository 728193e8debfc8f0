/// Where a task is in its life (DESIGN "Tasks"). Every change is a committed entry of the task
/// table; the last four are final.
public enum TaskState: String, Hashable, Sendable, CaseIterable {
    /// Waiting: for its dependencies, for its retry backoff, or for a node with room.
    case pending
    /// The leader chose a node for the current attempt; the node has not said it started.
    case assigned
    /// The node started the current attempt's process.
    case running
    /// An attempt exited 0 and its outputs are stored.
    case succeeded
    /// The last allowed attempt failed (or a dependency did not succeed).
    case failed
    /// A user cancelled it.
    case cancelled
    /// The node of its last allowed attempt died with it.
    case lost

    /// True for succeeded, failed, cancelled and lost: nothing changes it again.
    public var isFinal: Bool {
        switch self {
        case .pending, .assigned, .running: false
        case .succeeded, .failed, .cancelled, .lost: true
        }
    }
}
