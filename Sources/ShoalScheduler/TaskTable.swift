public import ShoalMembership

/// The replicated state of every task: a deterministic state machine over `TaskCommand`s, the
/// same on every replica (DESIGN "Tasks"). The leader reads it to place pending tasks; agents
/// read it to learn what to run; users read it through `shoal tasks`.
///
/// Its rules are what make "every task ends exactly once" hold whatever the leader or nodes do:
/// a transition applies only from the state it names, a result counts only for the current
/// attempt, term and node, and final states never change.
public struct TaskTable: Hashable, Sendable {
    /// Every task, by id.
    public internal(set) var tasks: [TaskID: TaskRecord] = [:]
    var nextSequence: UInt64 = 0
    /// Tasks each dependency is waited on by.
    var dependents: [TaskID: Set<TaskID>] = [:]

    /// An empty table.
    public init() {}

    /// The task `id`.
    public subscript(id: TaskID) -> TaskRecord? { tasks[id] }

    /// The resources of the attempts assigned to or running on each node: what the leader
    /// counts as taken when it places.
    public func allocations() -> [NodeID: Resources] {
        var taken: [NodeID: Resources] = [:]
        for record in tasks.values where record.state == .assigned || record.state == .running {
            if let attempt = record.currentAttempt { taken[attempt.node, default: .zero] = taken[attempt.node, default: .zero] + record.spec.resources }
        }
        return taken
    }

    /// The pending tasks that may be placed at `now`: dependencies succeeded, backoff over;
    /// highest priority first, then oldest.
    public func placeable(at now: Int64) -> [TaskRecord] {
        tasks.values
            .filter { record in
                record.state == .pending && record.notBefore <= now
                    && record.spec.dependencies.allSatisfy { tasks[$0]?.state == .succeeded }
            }
            .sorted { ($0.spec.priority, $1.sequence) > ($1.spec.priority, $0.sequence) }
    }

    /// The attempts assigned to `node` and not yet ended: what that agent should be running.
    public func attempts(on node: NodeID) -> [(TaskRecord, TaskAttempt)] {
        tasks.values.compactMap { record in
            guard record.state == .assigned || record.state == .running, let attempt = record.currentAttempt, attempt.node == node else { return nil }
            return (record, attempt)
        }
        .sorted { $0.0.sequence < $1.0.sequence }
    }
}

extension TaskTable {
    /// The table a snapshot kept: its records and the last sequence number handed out. Refuses
    /// a record whose id appears twice or whose sequence is past `nextSequence` (a damaged
    /// snapshot), so a restored table keeps the rules a live one keeps.
    public init(records: [TaskRecord], nextSequence: UInt64) throws(TaskTableSnapshotError) {
        for record in records {
            guard tasks[record.id] == nil else { throw .duplicate(record.id) }
            guard record.sequence <= nextSequence else { throw .sequence(record.id, record.sequence, nextSequence) }
            tasks[record.id] = record
            for dependency in record.spec.dependencies { dependents[dependency, default: []].insert(record.id) }
        }
        self.nextSequence = nextSequence
    }

    /// Every record, in submission order: what a snapshot keeps.
    public var records: [TaskRecord] { tasks.values.sorted { $0.sequence < $1.sequence } }

    /// The last sequence number handed out.
    public var lastSequence: UInt64 { nextSequence }
}

/// Why a snapshot's records do not make a task table.
public enum TaskTableSnapshotError: Error, Hashable, Sendable, CustomStringConvertible {
    case duplicate(TaskID)
    case sequence(TaskID, UInt64, UInt64)

    public var description: String {
        switch self {
        case .duplicate(let id): "the snapshot holds task \(id) twice"
        case .sequence(let id, let sequence, let next): "task \(id) has sequence \(sequence), past the table's \(next)"
        }
    }
}
