import Foundation
import ShoalConsensus
import ShoalMembership
import ShoalScheduler
import ShoalWire

/// Which tasks a read asks for: the ids named (all when none), then only those in `state`, or
/// (`node`) those assigned to or running on that node: what its executor should be running.
struct TaskQuery: Sendable, Equatable {
    var ids: [TaskID] = []
    var state: TaskState?
    var node: NodeID?
    /// A blocking read: answers once the task table moved past `watch.index`.
    var watch: KVWatch?

    func select(from table: TaskTable) -> [TaskRecord] {
        let matches: (TaskRecord) -> Bool = { record in
            (state == nil || record.state == state)
                && (node == nil || ((record.state == .assigned || record.state == .running) && record.currentAttempt?.node == node))
        }
        guard ids.isEmpty else { return ids.compactMap { table[$0] }.filter(matches) }
        // An executor's query: the table's index of what runs where, not a scan.
        if let node { return table.attempts(on: node).map(\.0).filter(matches) }
        return table.tasks.values.filter(matches).sorted { $0.sequence < $1.sequence }
    }
}

/// A task read's answer, or a command's: the table's watch index (a read) or the entry's
/// index (a command), and the records read.
struct TaskReply: Sendable, Equatable {
    var index: LogIndex
    var records: [TaskRecord]
    /// The tasks a command submitted or changed.
    var changed: [TaskID] = []
}

extension ConsensusService {
    /// Proposes one task command through the leader. A command the table refuses whole (a
    /// submission with a cycle, say) fails as invalid with the table's reason.
    func propose(task command: TaskCommand) async throws(KVFailure) -> TaskReply {
        var wire = Shoal_Wire_V1_LeaderRequest()
        wire.task = .with { $0.command = command.wire }
        return try await viaLeader(
            isWrite: true, wait: .zero, local: { node throws(Retry) in try await self.write(task: command, on: node) }, wire: wire,
            remote: Self.taskReply)
    }

    /// Reads tasks: through the read index on a replica, else from the leader.
    func read(tasks query: TaskQuery) async throws(KVFailure) -> TaskReply {
        var wire = Shoal_Wire_V1_LeaderRequest()
        wire.task = .with { $0.query = query.wire }
        return try await viaLeader(
            isWrite: false, wait: query.watch?.wait ?? .zero,
            local: { node throws(Retry) in try await self.localRead(tasks: query, on: node) }, wire: wire, remote: Self.taskReply)
    }

    /// Returns once this replica's task table has changed past `index` or `wait` has passed
    /// (at once when this node holds no replica): what the scheduler sleeps on between passes.
    func waitForTasks(past index: LogIndex, upTo wait: Duration) async -> LogIndex {
        guard case .replica(let node) = phase else { return index }
        let read = try? await watchedRead(node, stale: true, watch: KVWatch(index: max(index, 1), wait: wait), index: { $0 }) { $0.tasksIndex }
        return read ?? index
    }

    /// `body` over the task table as this node's replica holds it now, with the term and the
    /// table's watch index, when this node leads: what the scheduler places from. The body runs
    /// inside the replica, so no copy of the table outlives the read.
    func leaderView<View: Sendable>(_ body: @escaping @Sendable (TaskTable) -> View) async -> (term: Term, index: LogIndex, view: View)? {
        guard case .replica(let node) = phase, let status = lastStatus, status.role == .leader else { return nil }
        guard let (view, index) = try? await node.read(.stale, { (body($0.tasks), $0.tasksIndex) }) else { return nil }
        return (status.term, index, view)
    }

    private func localRead(tasks query: TaskQuery, on node: Node) async throws(Retry) -> TaskReply {
        try await watchedRead(node, stale: false, watch: query.watch, index: \.index) { state in
            TaskReply(index: state.tasksIndex, records: query.select(from: state.tasks))
        }
    }

    private func write(task command: TaskCommand, on node: Node) async throws(Retry) -> TaskReply {
        let (_, _, outcome) = try await propose(ClusterState.command(command), on: node)
        switch outcome {
        case .tasks(let index, let events):
            for event in events { if case .rejected(let error) = event { throw Retry.final(.invalid(error.description)) } }
            return TaskReply(index: index, records: [], changed: events.compactMap(\.task))
        case .invalid(let why): throw Retry.final(.invalid(why))
        case .kv: throw Retry.final(.invalid("a task command applied as a key-value write"))
        }
    }

    private static func taskReply(_ response: Shoal_Wire_V1_LeaderResponse) throws(Retry) -> TaskReply {
        guard case .tasks(let answer)? = response.result else { throw Retry(reason: "an answer that is no task result") }
        do {
            return TaskReply(
                index: answer.index, records: try answer.tasks.map { record throws(TaskWireError) in try TaskRecord(wire: record) },
                changed: try answer.changed.map { id throws(TaskWireError) in try TaskID(wire: id) })
        } catch {
            throw Retry(reason: "the leader's task answer does not decode: \(error)")
        }
    }

    /// Which task commands a peer may have the leader propose: what its users submit and
    /// cancel, and reports of its own attempts. Placement, pending reasons and lost nodes come
    /// from the leader's own scheduler only, so a certified peer cannot assign tasks, fail
    /// another node's attempts or declare a node lost.
    static func mayPropose(_ command: TaskCommand, from peer: NodeID) -> String? {
        switch command {
        case .submit, .cancel: nil
        case .started(_, _, let node, _) where node == peer: nil
        case .finished(let result, _) where result.node == peer: nil
        case .started, .finished: "a peer reports only its own attempts"
        case .assign, .unplaceable, .nodeLost, .forget:
            "only the leader's scheduler proposes placements, pending reasons, lost nodes and the removal of old results"
        }
    }

    /// A `leader/1` task request on the leader, from `peer`.
    func answerTask(_ request: Shoal_Wire_V1_TaskRequest, from peer: NodeID) async -> Shoal_Wire_V1_LeaderResponse {
        guard case .replica(let node) = phase else { return .error(.unavailable, "this node is no replica", leader: knownLeader) }
        let reply: TaskReply
        do throws(Retry) {
            switch request.op {
            case .command(let command)?:
                let decoded: TaskCommand
                do {
                    decoded = try TaskCommand(wire: command)
                } catch {
                    return .error(.invalid, error.description)
                }
                if let refusal = Self.mayPropose(decoded, from: peer) { return .error(.invalid, refusal) }
                reply = try await write(task: decoded, on: node)
            case .query(let query)?:
                let decoded: TaskQuery
                do {
                    decoded = try TaskQuery(wire: query)
                } catch {
                    return .error(.invalid, error.description)
                }
                reply = try await localRead(tasks: decoded, on: node)
            case nil:
                return .error(.invalid, "a task request with no operation")
            }
        } catch {
            if let failure = error.failure { return .failure(failure, leader: knownLeader) }
            return .error(.unavailable, error.reason, leader: knownLeader)
        }
        return .with {
            $0.tasks = .with {
                $0.index = reply.index
                $0.tasks = reply.records.map(\.wire)
                $0.changed = reply.changed.map(\.rawValue)
            }
        }
    }
}

extension TaskEvent {
    /// The task an event concerns.
    var task: TaskID? {
        switch self {
        case .rejected: nil
        case .submitted(let id), .assigned(let id, _, _, _), .waiting(let id, _), .started(let id, _), .ended(let id, _), .retrying(let id, _, _),
            .kill(let id, _, _), .forgotten(let id), .ignored(let id, _):
            id
        }
    }
}

extension TaskQuery {
    var wire: Shoal_Wire_V1_TaskQuery {
        .with {
            $0.ids = ids.map(\.rawValue)
            $0.state = state?.rawValue ?? ""
            if let node { $0.node = Data(node.bytes) }
            if let watch {
                $0.watchIndex = watch.index
                $0.waitMs = UInt64(max(1, watch.wait / .milliseconds(1)))
            }
        }
    }

    init(wire: Shoal_Wire_V1_TaskQuery) throws(TaskWireError) {
        guard wire.ids.count <= 10_000 else { throw TaskWireError(description: "a query for \(wire.ids.count) tasks; at most 10,000") }
        ids = try wire.ids.map { id throws(TaskWireError) in try TaskID(wire: id) }
        if !wire.state.isEmpty {
            guard let state = TaskState(rawValue: wire.state) else { throw TaskWireError(description: "no task state '\(wire.state.prefix(40))'") }
            self.state = state
        }
        node = wire.node.isEmpty ? nil : try NodeID(taskWire: wire.node)
        watch = wire.waitMs > 0 ? KVWatch(index: wire.watchIndex, wait: .milliseconds(Int64(clamping: wire.waitMs))) : nil
    }
}
