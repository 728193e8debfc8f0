public import ShoalMembership

/// Places pending tasks on nodes (pure: no clock, no randomness, no I/O). The leader builds one
/// from the nodes' advertised capacity and the task table's assignments, places a batch, and
/// commits every decision of the batch in one Raft entry.
///
/// Each decision filters the nodes whose labels match (computed once per distinct constraint set
/// in a batch), then scores at most `candidateLimit` nodes that have the room, going round the
/// node list from the node the previous decision chose (Nomad's limit iterator bounds a decision
/// the same way, from a random start: here the start is an argument, so placement is
/// reproducible).
/// Nodes holding the task's inputs are always scored too. A resource shape that found no room
/// cannot find it later in the same batch (allocations only grow), so a backlog of tasks that
/// do not fit costs one failed scan per shape, not one per task.
public struct Placer: Sendable {
    /// The nodes, with what this placer has allocated on them so far.
    public private(set) var nodes: [SchedulingNode]
    private var position: [NodeID: Int]
    private var cursor: Int
    /// The most nodes with room scored per decision.
    public let candidateLimit: Int

    /// Scores at most 64 nodes per decision: plenty for a good fit, and a decision costs the
    /// same on 5,000 nodes as on 64.
    public static let defaultCandidateLimit = 64

    /// A placer over `nodes` (a node listed twice counts once, the first time), starting its scan
    /// at `start` (the leader passes a random number, so leaders do not all favour one node).
    public init(nodes: [SchedulingNode], start: Int = 0, candidateLimit: Int = Placer.defaultCandidateLimit) {
        var unique: [SchedulingNode] = []
        var position: [NodeID: Int] = [:]
        for node in nodes where position[node.id] == nil {
            position[node.id] = unique.count
            unique.append(node)
        }
        self.nodes = unique
        self.position = position
        self.cursor = unique.isEmpty ? 0 : Int(UInt(bitPattern: start) % UInt(unique.count))
        self.candidateLimit = max(1, candidateLimit)
    }

    /// The node `id`, as allocated so far.
    public func node(_ id: NodeID) -> SchedulingNode? { position[id].map { nodes[$0] } }

    /// Decides every request in order (callers sort by priority, then age), allocating each
    /// placement's resources before the next decision.
    public mutating func place(_ requests: [PlacementRequest]) -> [PlacementDecision] {
        var batch = Batch()
        return requests.map { place($0, batch: &batch) }
    }

    /// Gives `resources` back on `node` (a task ended): they are free for the next batch.
    public mutating func release(_ resources: Resources, on node: NodeID) {
        guard let index = position[node] else { return }
        nodes[index].allocated = nodes[index].allocated - resources
    }

    /// What one `place` call learns as it goes.
    struct Batch {
        var matching: [[LabelConstraint]: [Int]] = [:]
        var largest: [[LabelConstraint]: Resources] = [:]
        var noRoom: [[LabelConstraint]: [Resources]] = [:]
    }

    private mutating func place(_ request: PlacementRequest, batch: inout Batch) -> PlacementDecision {
        let key = request.constraints.count > 1 ? request.constraints.sorted() : request.constraints
        let eligible = matchingNodes(key, batch: &batch)
        guard !eligible.isEmpty else { return .unplaceable(task: request.task, reason: .noNodeMatches(key)) }
        let wanted = request.resources
        func noRoom() -> PlacementDecision {
            let largest = batch.largest[key] ?? eligible.reduce(Resources.zero) { largest, index in
                Resources(cpuMillis: max(largest.cpuMillis, nodes[index].capacity.cpuMillis), memoryBytes: max(largest.memoryBytes, nodes[index].capacity.memoryBytes))
            }
            batch.largest[key] = largest
            return .unplaceable(task: request.task, reason: .insufficientResources(wanted: wanted, largest: largest))
        }
        if let shapes = batch.noRoom[key], shapes.contains(where: { wanted.covers($0) }) { return noRoom() }

        let mostLocal = request.localBytes.values.max() ?? 0
        var best: (score: Double, index: Int, slot: Int?)?
        func consider(_ index: Int, slot: Int?) {
            let score = self.score(of: index, for: request, mostLocal: mostLocal)
            if best == nil || score > best!.score || (score == best!.score && nodes[index].id < nodes[best!.index].id) { best = (score, index, slot) }
        }
        for (node, bytes) in request.localBytes where bytes > 0 {
            guard let index = position[node], key.allSatisfy({ $0.isSatisfied(by: nodes[index].labels) }), wanted.fits(in: nodes[index].free) else { continue }
            consider(index, slot: nil)
        }
        var examined = 0
        var found = 0
        let start = cursor % eligible.count
        while examined < eligible.count, found < candidateLimit {
            let slot = (start + examined) % eligible.count
            let index = eligible[slot]
            examined += 1
            if wanted.fits(in: nodes[index].free) {
                found += 1
                consider(index, slot: slot)
            }
        }
        // The next scan starts at the chosen node: bin-pack keeps filling it while it has room,
        // and the full nodes before it are not looked at again.
        if let slot = best?.slot { cursor = slot } else if found == 0 { cursor = start + examined }
        guard let chosen = best?.index else {
            batch.noRoom[key, default: []].append(wanted)
            return noRoom()
        }
        nodes[chosen].allocated = nodes[chosen].allocated + wanted
        return .placed(task: request.task, node: nodes[chosen].id)
    }

    private func matchingNodes(_ key: [LabelConstraint], batch: inout Batch) -> [Int] {
        if let known = batch.matching[key] { return known }
        let matching = nodes.indices.filter { index in key.allSatisfy { $0.isSatisfied(by: nodes[index].labels) } }
        batch.matching[key] = matching
        return matching
    }

    /// Higher is better. Bin-pack: the node's mean utilisation (cpu, memory) once the task is on
    /// it; spread: one minus that. Plus up to 2 for holding the inputs (the node with the most
    /// input bytes gets 2), so data locality outweighs packing.
    func score(of index: Int, for request: PlacementRequest, mostLocal: Int64) -> Double {
        let node = nodes[index]
        var utilisation = 0.0
        var dimensions = 0.0
        if node.capacity.cpuMillis > 0 {
            utilisation += Double(node.allocated.cpuMillis + request.resources.cpuMillis) / Double(node.capacity.cpuMillis)
            dimensions += 1
        }
        if node.capacity.memoryBytes > 0 {
            utilisation += Double(node.allocated.memoryBytes + request.resources.memoryBytes) / Double(node.capacity.memoryBytes)
            dimensions += 1
        }
        let fit = dimensions == 0 ? 0 : utilisation / dimensions
        var score = request.strategy == .binpack ? fit : 1 - fit
        if mostLocal > 0, let local = request.localBytes[node.id] { score += 2 * Double(local) / Double(mostLocal) }
        return score
    }
}
