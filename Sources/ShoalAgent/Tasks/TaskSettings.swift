/// The `tasks:` section of shoal.yaml: how many task processes this agent runs at once, and how
/// long the cluster keeps a finished task. Set in the file or as `SHOAL_TASKS_<KEY>`.
enum TaskSettings {
    static let section = "tasks"
    static let maxRunning = ConfigurationKey(name: "max_running", kind: .string, section: section)

    static let retention = ConfigurationKey(name: "retention", kind: .string, section: section)

    static let keys: [ConfigurationKey] = [maxRunning, retention]

    /// What the section sets.
    struct Values: Sendable, Equatable {
        /// Attempts whose processes run at once here; more assigned wait their turn. Placement
        /// bounds only tasks that ask for CPU or memory: this bounds the rest (each running
        /// attempt is a process group and a thread of the agent waiting for it).
        var maxRunning = 256
        /// How long a task that ended stays in the table (`shoal task`, `shoal logs`, a
        /// dependent's inputs) before the leader removes it: the table lives in every voter's
        /// memory and in every snapshot. Read where this agent leads.
        var retention: Duration = .seconds(4 * 3_600)
    }

    static func read(_ validation: Validation) throws(ConfigurationError) -> Values {
        Values(
            maxRunning: try validation.integer(maxRunning, default: 256, within: 1 ... 65_536),
            retention: try validation.duration(retention, default: .seconds(4 * 3_600), within: .seconds(1) ... .seconds(365 * 86_400)))
    }
}
