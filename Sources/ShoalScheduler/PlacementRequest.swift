public import ShoalMembership

/// One task to place: what it needs, where it may go, and how many of its input bytes each node
/// already holds (so a node that has the data is preferred: bytes local, no transfer).
public struct PlacementRequest: Hashable, Sendable {
    /// The task.
    public let task: TaskID
    /// What it needs.
    public let resources: Resources
    /// Labels the node must carry.
    public let constraints: [LabelConstraint]
    /// Bin-pack or spread.
    public let strategy: PlacementStrategy
    /// Input bytes already on each node (nodes not named hold none).
    public let localBytes: [NodeID: Int64]

    /// A request as the leader builds it from a pending task.
    public init(task: TaskID, resources: Resources, constraints: [LabelConstraint] = [], strategy: PlacementStrategy = .binpack, localBytes: [NodeID: Int64] = [:]) {
        self.task = task
        self.resources = resources
        self.constraints = constraints
        self.strategy = strategy
        self.localBytes = localBytes
    }
}

/// What the scheduler decided for one request.
public enum PlacementDecision: Hashable, Sendable {
    /// Run `task` on `node`; its resources are now allocated there.
    case placed(task: TaskID, node: NodeID)
    /// No node can take `task` now; it stays pending, and `reason` is shown in `shoal task ID`.
    case unplaceable(task: TaskID, reason: Unplaceable)
}

/// Why a task could not be placed.
public enum Unplaceable: Hashable, Sendable, CustomStringConvertible {
    /// No node carries the labels asked for.
    case noNodeMatches([LabelConstraint])
    /// Nodes match, but none has that much free now; `largest` is the most any matching node
    /// offers in total, so a request beyond it can never fit.
    case insufficientResources(wanted: Resources, largest: Resources)

    public var description: String {
        switch self {
        case .noNodeMatches(let constraints):
            constraints.isEmpty ? "no node is available" : "no node has the labels \(constraints.map(\.description).joined(separator: ", "))"
        case .insufficientResources(let wanted, let largest):
            wanted.fits(in: largest)
                ? "waiting for resources: no matching node has \(wanted) free"
                : "needs \(wanted), more than any matching node has (the largest offers \(largest))"
        }
    }
}
