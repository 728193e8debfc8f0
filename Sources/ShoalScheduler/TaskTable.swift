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
    /// The pending tasks, and the assigned or running ones by the node of their current
    /// attempt: what placement and each node's executor read, without a scan of every task.
    var pendingIDs: Set<TaskID> = []
    var activeIDs: [NodeID: Set<TaskID>] = [:]

    /// The most tasks one submission may carry (an entry of at most a few MiB).
    public static let maximumSubmission = 10_000

    /// An empty table.
    public init() {}

    /// The task `id`.
    public subscript(id: TaskID) -> TaskRecord? { tasks[id] }

    /// The resources of the attempts assigned to or running on each node: what the leader
    /// counts as taken when it places.
    public func allocations() -> [NodeID: Resources] {
        activeIDs.mapValues { ids in ids.reduce(Resources.zero) { $0 + tasks[$1]!.spec.resources } }
    }

    /// The pending tasks that may be placed at `now`: dependencies succeeded, backoff over;
    /// highest priority first, then oldest.
    public func placeable(at now: Int64) -> [TaskRecord] {
        var ready: [(priority: Int, sequence: UInt64, id: TaskID)] = []
        for id in pendingIDs {
            let record = tasks[id]!
            guard record.notBefore <= now, record.spec.dependencies.allSatisfy({ tasks[$0]?.state == .succeeded }) else { continue }
            ready.append((record.spec.priority, record.sequence, id))
        }
        // Sorted as keys, then looked up: records are large to move.
        ready.sort { ($0.priority, $1.sequence) > ($1.priority, $0.sequence) }
        return ready.map { tasks[$0.id]! }
    }

    /// The tasks `TaskCommand.forget(endedBefore:)` would remove, in submission order: final,
    /// ended before `endedBefore`, and waited on by no unfinished task. The leader proposes the
    /// command only when this is not empty.
    public func forgettable(endedBefore: Int64) -> [TaskID] {
        tasks.values
            .filter { record in
                guard record.state.isFinal, let ended = record.endedAt, ended < endedBefore else { return false }
                return (dependents[record.id] ?? []).allSatisfy { tasks[$0]?.state.isFinal ?? true }
            }
            .sorted { $0.sequence < $1.sequence }
            .map(\.id)
    }

    /// The attempts assigned to `node` and not yet ended: what that agent should be running.
    public func attempts(on node: NodeID) -> [(TaskRecord, TaskAttempt)] {
        (activeIDs[node] ?? []).map { tasks[$0]! }.sorted { $0.sequence < $1.sequence }.map { ($0, $0.currentAttempt!) }
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
            switch record.state {
            case .pending: pendingIDs.insert(record.id)
            case .assigned, .running:
                guard let node = record.currentAttempt?.node else { throw .noAttempt(record.id, record.state) }
                activeIDs[node, default: []].insert(record.id)
            case .succeeded, .failed, .cancelled, .lost: break
            }
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
    case noAttempt(TaskID, TaskState)

    public var description: String {
        switch self {
        case .duplicate(let id): "the snapshot holds task \(id) twice"
        case .sequence(let id, let sequence, let next): "task \(id) has sequence \(sequence), past the table's \(next)"
        case .noAttempt(let id, let state): "task \(id) is \(state.rawValue) without an attempt"
        }
    }
}
