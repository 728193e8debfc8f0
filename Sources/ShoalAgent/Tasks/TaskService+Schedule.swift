import Foundation
import ShoalConsensus
import ShoalMembership
import ShoalObjects
import ShoalScheduler

extension TaskService {
    /// On the leader: report lost nodes, then place what is pending; again when the table
    /// changes or `scheduleInterval` has passed.
    /// Each pass reads the table after the previous pass's entries applied, so a task is never
    /// assigned twice from one view.
    func scheduleLoop() async {
        while !Task.isCancelled, !stopping {
            guard let (term, table, index) = await consensus.leaderTable() else {
                try? await clock.sleep(settings.scheduleInterval)
                continue
            }
            await reportLostNodes(table)
            await place(table, term: term)
            // Until the table changes (a submission, a task that ended and freed room), or the
            // interval passes (a backoff that ends, a member that changed).
            _ = await consensus.waitForTasks(past: index, upTo: settings.scheduleInterval)
        }
    }

    /// Members membership has declared dead or gone (or forgotten) whose attempts the table
    /// still counts: each is one `nodeLost` entry, which re-queues them as new attempts.
    private func reportLostNodes(_ table: TaskTable) async {
        // A member this agent has not heard of is lost only once gossip has had time to tell
        // it of everyone (a leader that just restarted is still learning the members).
        let knowsEveryone = clock.elapsed() > settings.unknownMemberGrace
        for node in table.allocations().keys.sorted() where node != myself {
            let status = members[node]?.status
            guard status == .dead || status == .left || (status == nil && knowsEveryone) else { continue }
            logger.notice("tasks of a lost node re-queued", metadata: ["node": "\(members[node]?.metadata.name ?? node.shortID)"])
            _ = try? await consensus.propose(task: .nodeLost(node, at: nowMilliseconds))
        }
    }

    /// One placement pass over the pending tasks the table says may run now.
    private func place(_ table: TaskTable, term: Term) async {
        let now = nowMilliseconds
        let pending = table.placeable(at: now).prefix(settings.batchLimit)
        guard !pending.isEmpty else { return }
        let allocated = table.allocations()
        let nodes = members.values
            .filter { $0.status == .alive }
            .sorted { $0.id < $1.id }
            .map { member in
                SchedulingNode(
                    id: member.id, capacity: Resources(cpuMillis: Int64(member.metadata.cpuMillis), memoryBytes: Int64(clamping: member.metadata.memoryBytes)),
                    labels: member.metadata.labels, allocated: allocated[member.id] ?? .zero)
            }
        var placer = Placer(nodes: nodes, start: nodes.isEmpty ? 0 : placeCursor % nodes.count)
        let requests = pending.map { record in
            PlacementRequest(
                task: record.id, resources: record.spec.resources, constraints: record.spec.constraints, strategy: record.spec.strategy,
                localBytes: localBytes(of: record, in: table))
        }
        var assignments: [TaskAssignment] = []
        var changedReasons: [TaskID: String] = [:]
        let attempts = Dictionary(uniqueKeysWithValues: pending.map { ($0.id, $0.attempts.count) })
        for decision in placer.place(requests) {
            switch decision {
            case .placed(let task, let node):
                assignments.append(TaskAssignment(task: task, attempt: attempts[task, default: 0] + 1, node: node))
                reasons[task] = nil
            case .unplaceable(let task, let why):
                let text = why.description
                if reasons[task] != text || table[task]?.reason != text { changedReasons[task] = text }
                reasons[task] = text
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
    /// object on each holder (its length when this node has the manifest, else counted as 1).
    private func localBytes(of record: TaskRecord, in table: TaskTable) -> [NodeID: Int64] {
        var bytes: [NodeID: Int64] = [:]
        for input in record.spec.inputs {
            let id: ObjectID?
            switch input.source {
            case .object(let object): id = object
            case .output(let task, let path): id = table[task]?.outputs[path]
            }
            guard let id else { continue }
            let length = (try? objects.store.manifest(of: id)).flatMap { $0 }.map { Int64(clamping: $0.totalLength) } ?? 1
            for holder in objects.knownHolders(of: id) { bytes[holder, default: 0] += length }
        }
        return bytes
    }
}
