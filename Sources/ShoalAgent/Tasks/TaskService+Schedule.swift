import Foundation
import ShoalConsensus
import ShoalMembership
import ShoalObjects
import ShoalScheduler

/// What one placement pass needs of the task table, taken inside the replica: only the
/// pending tasks that may run now, what each node holds, and the objects each task reads. The
/// scheduler keeps no copy of the table across its proposals, which would make the next entry
/// applied copy every record.
struct SchedulingView: Sendable {
    var pending: [TaskRecord]
    var allocations: [NodeID: Resources]
    /// The objects each pending task reads (another task's outputs resolved).
    var inputs: [TaskID: [ObjectID]]

    init(_ table: TaskTable, at now: Int64, limit: Int) {
        pending = Array(table.placeable(at: now).prefix(limit))
        allocations = table.allocations()
        var inputs: [TaskID: [ObjectID]] = [:]
        for record in pending {
            inputs[record.id] = record.spec.inputs.compactMap { input in
                switch input.source {
                case .object(let object): object
                case .output(let task, let path): table[task]?.outputs[path]
                }
            }
        }
        self.inputs = inputs
    }
}

extension TaskService {
    /// On the leader: report lost nodes, then place what is pending; again when the table
    /// changes or `scheduleInterval` has passed. Each pass reads the table after the previous
    /// pass's entries applied, so a task is never assigned twice from one view.
    func scheduleLoop() async {
        while !Task.isCancelled, !stopping {
            let now = nowMilliseconds
            let limit = settings.batchLimit
            guard let (term, index, view) = await consensus.leaderView({ SchedulingView($0, at: now, limit: limit) }) else {
                try? await clock.sleep(settings.leaderPoll)
                continue
            }
            await reportLostNodes(holding: view.allocations.keys)
            await place(view, term: term, at: now)
            await forgetOldTasks(at: now)
            // Until the table changes (a submission, a task that ended and freed room), or the
            // interval passes (a backoff that ends, a member that changed).
            _ = await consensus.waitForTasks(past: index, upTo: settings.scheduleInterval)
        }
    }

    /// Once per `forgetInterval` (or `retention`, if shorter): removes the tasks that ended more than `retention` ago, in
    /// one entry (`TaskCommand.forget`), when there are any.
    private func forgetOldTasks(at now: Int64) async {
        guard clock.elapsed() >= nextForgetCheck else { return }
        nextForgetCheck = clock.elapsed() + min(settings.forgetInterval, settings.retention)
        let cutoff = now - Int64(settings.retention / .milliseconds(1))
        guard let (_, _, count) = await consensus.leaderView({ $0.forgettable(endedBefore: cutoff).count }), count > 0 else { return }
        do throws(KVFailure) {
            _ = try await consensus.propose(task: .forget(endedBefore: cutoff))
            logger.info("ended tasks past their retention removed", metadata: ["tasks": "\(count)"])
        } catch {
            logger.warning("ended tasks not removed", metadata: ["reason": "\(error)"])
        }
    }

    /// Members membership has declared dead or gone (or forgotten) whose attempts the table
    /// still counts: each is one `nodeLost` entry, which re-queues them as new attempts.
    private func reportLostNodes(holding nodes: some Sequence<NodeID>) async {
        // A member this agent has not heard of is lost only once gossip has had time to tell
        // it of everyone (a leader that just restarted is still learning the members).
        let knowsEveryone = clock.elapsed() > settings.unknownMemberGrace
        for node in nodes.sorted() where node != myself {
            let status = members[node]?.status
            guard status == .dead || status == .left || (status == nil && knowsEveryone) else { continue }
            logger.notice("tasks of a lost node re-queued", metadata: ["node": "\(members[node]?.metadata.name ?? node.shortID)"])
            _ = try? await consensus.propose(task: .nodeLost(node, at: nowMilliseconds))
        }
    }

    /// One placement pass over the pending tasks the table says may run now.
    private func place(_ view: SchedulingView, term: Term, at now: Int64) async {
        guard !view.pending.isEmpty else { return }
        let nodes = members.values
            .filter { $0.status == .alive }
            .sorted { $0.id < $1.id }
            .map { member in
                SchedulingNode(
                    id: member.id, capacity: Resources(cpuMillis: Int64(member.metadata.cpuMillis), memoryBytes: Int64(clamping: member.metadata.memoryBytes)),
                    labels: member.metadata.labels, allocated: view.allocations[member.id] ?? .zero)
            }
        var placer = Placer(nodes: nodes, start: nodes.isEmpty ? 0 : placeCursor % nodes.count)
        let requests = view.pending.map { record in
            PlacementRequest(
                task: record.id, resources: record.spec.resources, constraints: record.spec.constraints, strategy: record.spec.strategy,
                localBytes: localBytes(of: view.inputs[record.id] ?? []))
        }
        var assignments: [TaskAssignment] = []
        var changedReasons: [TaskID: String] = [:]
        let records = Dictionary(uniqueKeysWithValues: view.pending.map { ($0.id, $0) })
        for decision in placer.place(requests) {
            switch decision {
            case .placed(let task, let node):
                assignments.append(TaskAssignment(task: task, attempt: (records[task]?.attempts.count ?? 0) + 1, node: node))
            case .unplaceable(let task, let why):
                // The table ignores a reason it already shows: only news is proposed.
                let text = why.description
                if records[task]?.reason != text { changedReasons[task] = text }
            }
        }
        placeCursor &+= 1
        if !assignments.isEmpty {
            do throws(KVFailure) {
                _ = try await consensus.propose(task: .assign(assignments, term: term, at: now))
            } catch {
                logger.warning("placement not committed", metadata: ["tasks": "\(assignments.count)", "reason": "\(error)"])
            }
        }
        if !changedReasons.isEmpty { _ = try? await consensus.propose(task: .unplaceable(changedReasons)) }
    }

    /// Input bytes each node holds, as far as this node's object directory knows: the whole
    /// object on each holder. An object's length never changes (its id is its content), so it
    /// is looked up once (from this node's manifest; counted as 1 when this node has none).
    private func localBytes(of inputs: [ObjectID]) -> [NodeID: Int64] {
        var bytes: [NodeID: Int64] = [:]
        for id in inputs {
            let length: Int64
            if let known = objectLengths[id] {
                length = known
            } else {
                length = (try? objects.store.manifest(of: id)).flatMap { $0 }.map { Int64(clamping: $0.totalLength) } ?? 1
                if objectLengths.count >= Self.objectLengthsKept { objectLengths.removeAll(keepingCapacity: true) }
                objectLengths[id] = length
            }
            for holder in objects.knownHolders(of: id) { bytes[holder, default: 0] += length }
        }
        return bytes
    }

    static let objectLengthsKept = 65_536
}
