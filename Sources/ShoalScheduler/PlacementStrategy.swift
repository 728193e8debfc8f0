/// How the scheduler chooses among the nodes a task fits on.
public enum PlacementStrategy: String, Hashable, Sendable, CaseIterable {
    /// The fullest node that fits (Nomad's default): keeps whole nodes free for big tasks.
    case binpack
    /// The emptiest node: spreads load and failure.
    case spread
}
