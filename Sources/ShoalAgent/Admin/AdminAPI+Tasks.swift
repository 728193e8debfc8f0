import Foundation

extension AdminAPI {
    /// The body of `POST /v1/tasks`: one task (or, under `tasks`, several submitted at once).
    /// Every field but `argv` may be left out; a field not listed here is refused.
    public struct TaskSubmitRequest: Codable, Sendable, Equatable {
        public var argv: [String]
        /// Variables added to the task's environment.
        public var env: [String: String]?
        /// Millicores (1000 = one core).
        public var cpu: Int64?
        /// Bytes.
        public var memory: Int64?
        /// `key=value` constraints on the node's labels.
        public var labels: [String]?
        /// File name in the task's directory → an object id, or `TASK:PATH` (another task's output).
        public var inputs: [String: String]?
        /// Paths, relative to the task's directory, stored as objects when it succeeds.
        public var outputs: [String]?
        /// Attempts after the first (default 3; 0 runs it at most once).
        public var retries: Int?
        /// Milliseconds before its process group is killed.
        public var timeoutMs: Int64?
        /// 0-100, higher first (default 50).
        public var priority: Int?
        /// `binpack` (default) or `spread`.
        public var strategy: String?

        public static let fields: Set<String> = [
            "argv", "env", "cpu", "memory", "labels", "inputs", "outputs", "retries", "timeoutMs", "priority", "strategy",
        ]

        public init(
            argv: [String], env: [String: String]? = nil, cpu: Int64? = nil, memory: Int64? = nil, labels: [String]? = nil,
            inputs: [String: String]? = nil, outputs: [String]? = nil, retries: Int? = nil, timeoutMs: Int64? = nil, priority: Int? = nil,
            strategy: String? = nil
        ) {
            self.argv = argv
            self.env = env
            self.cpu = cpu
            self.memory = memory
            self.labels = labels
            self.inputs = inputs
            self.outputs = outputs
            self.retries = retries
            self.timeoutMs = timeoutMs
            self.priority = priority
            self.strategy = strategy
        }
    }

    /// One attempt of a task, as `shoal task ID` shows it.
    public struct TaskAttemptView: Codable, Sendable, Equatable {
        public var number: Int
        public var node: String
        public var nodeID: String
        public var term: UInt64
        /// Times in ms since 1970 (the leader's clock).
        public var assignedAt: Int64
        public var startedAt: Int64?
        public var endedAt: Int64?
        public var exitCode: Int32?
        public var reason: String?
        /// What it stored: outputs, `stdout`, `stderr`.
        public var outputs: [String: String]
    }

    /// A task, as `shoal tasks` and `shoal task ID` show it.
    public struct TaskView: Codable, Sendable, Equatable {
        public var id: String
        public var state: String
        /// The node of the current attempt (its name), if it has had one.
        public var node: String?
        public var attempt: Int
        public var exitCode: Int32?
        /// Why it is pending, or why it ended as it did.
        public var reason: String?
        /// The succeeded attempt's outputs (path → object id), `stdout` and `stderr` included.
        public var outputs: [String: String]
        public var argv: [String]
        public var submittedAt: Int64
        public var endedAt: Int64?
        public var attempts: [TaskAttemptView]
    }
}
