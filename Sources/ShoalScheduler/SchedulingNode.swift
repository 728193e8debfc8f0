public import ShoalMembership

/// A node as the scheduler sees it: what it offers (advertised in its membership metadata), its
/// labels, and what the leader has already assigned to it (from the replicated task table).
public struct SchedulingNode: Hashable, Sendable {
    /// The node.
    public let id: NodeID
    /// What it offers tasks in total.
    public var capacity: Resources
    /// Its labels (`zone`, `gpu`, …).
    public var labels: [String: String]
    /// The resources of the tasks assigned to or running on it.
    public var allocated: Resources

    /// A node offering `capacity`, with `allocated` of it taken.
    public init(id: NodeID, capacity: Resources, labels: [String: String] = [:], allocated: Resources = .zero) {
        self.id = id
        self.capacity = capacity
        self.labels = labels
        self.allocated = allocated
    }

    /// What is left for new tasks.
    public var free: Resources { capacity - allocated }
}
