/// What a user submits: a command, what it needs, what it reads and what it leaves behind
/// (DESIGN "Tasks"). A spec is checked by `validate()` before it is accepted; the replicated
/// task table stores it unchanged for every attempt.
public struct TaskSpec: Hashable, Sendable {
    /// The program and its arguments; `argv[0]` is looked up in the agent's `PATH`.
    public var argv: [String]
    /// Variables added to the task's environment.
    public var environment: [String: String]
    /// What the task needs on the node it runs on.
    public var resources: Resources
    /// Labels the node must carry.
    public var constraints: [LabelConstraint]
    /// Files placed in the task's directory before it starts.
    public var inputs: [TaskInput]
    /// Paths, relative to the task's directory, stored as objects when it ends.
    public var outputs: [String]
    /// Milliseconds after which the task's process group is killed; nil for no limit.
    public var timeoutMilliseconds: Int64?
    /// Attempts after the first when one fails or its node is lost (0: at most once).
    public var retries: Int
    /// Higher goes first among pending tasks; ties in submission order.
    public var priority: Int
    /// How a node is chosen among those the task fits on.
    public var strategy: PlacementStrategy

    /// Retries when the submitter says nothing.
    public static let defaultRetries = 3
    /// Priority when the submitter says nothing.
    public static let defaultPriority = 50

    /// A spec running `argv` with the defaults: no resources asked, no constraints, no files,
    /// no timeout, 3 retries, priority 50, bin-pack.
    public init(
        argv: [String], environment: [String: String] = [:], resources: Resources = .zero, constraints: [LabelConstraint] = [],
        inputs: [TaskInput] = [], outputs: [String] = [], timeoutMilliseconds: Int64? = nil, retries: Int = TaskSpec.defaultRetries,
        priority: Int = TaskSpec.defaultPriority, strategy: PlacementStrategy = .binpack
    ) {
        self.argv = argv
        self.environment = environment
        self.resources = resources
        self.constraints = constraints
        self.inputs = inputs
        self.outputs = outputs
        self.timeoutMilliseconds = timeoutMilliseconds
        self.retries = retries
        self.priority = priority
        self.strategy = strategy
    }

    /// The tasks this one waits for, each once, in order.
    public var dependencies: [TaskID] {
        var seen: Set<TaskID> = []
        return inputs.compactMap(\.dependency).filter { seen.insert($0).inserted }
    }
}
