public import ShoalObjects

/// One file a task reads: `name`, relative to the task's directory, holds the bytes of an object,
/// or of another task's output (which makes this task wait until that one has succeeded: the
/// edges of a DAG).
public struct TaskInput: Hashable, Sendable {
    /// Where the file appears, relative to the attempt's directory.
    public let name: String
    /// What it holds.
    public let source: Source

    /// Where an input's bytes come from.
    public enum Source: Hashable, Sendable {
        /// A stored object.
        case object(ObjectID)
        /// The output `path` of task `task` (one of its `outputs`, or `stdout` / `stderr`).
        case output(task: TaskID, path: String)
    }

    /// An input as given (validation checks the name).
    public init(name: String, source: Source) {
        self.name = name
        self.source = source
    }

    /// The task this input waits for, if it is another task's output.
    public var dependency: TaskID? {
        if case .output(let task, _) = source { return task }
        return nil
    }
}
