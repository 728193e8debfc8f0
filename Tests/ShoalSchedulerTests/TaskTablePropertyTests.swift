import ShoalMembership
import ShoalRandom
import ShoalTestSupport
import Testing

@testable import ShoalScheduler

/// Random histories of leaders, nodes and late or duplicated reports, checked against the
/// invariants a user relies on: no task is lost or counted twice, and final means final.
@Suite("task table under random histories", .offCooperativePool)
struct TaskTablePropertyTests {
    struct Invariants {
        var succeeded: [TaskID: Int] = [:]
        var final: [TaskID: TaskState] = [:]

        mutating func check(_ table: TaskTable, after events: [TaskEvent], known: Set<TaskID>) {
            for case .ended(let id, .succeeded) in events { succeeded[id, default: 0] += 1 }
            #expect(succeeded.values.allSatisfy { $0 == 1 }, "a task was counted as succeeded twice")
            #expect(Set(table.tasks.keys) == known, "a task appeared or disappeared")
            for (id, record) in table.tasks {
                if let state = final[id] { #expect(record.state == state, "final state \(state) of \(id) changed to \(record.state)") }
                if record.state.isFinal { final[id] = record.state }
                #expect(record.attempts.map(\.number) == Array(1..<(record.attempts.count + 1)), "attempts are not numbered 1, 2, 3…")
                #expect(record.attempts.count <= record.spec.retries + 1, "more attempts than retries allow")
                if record.state == .assigned || record.state == .running { #expect(record.currentAttempt?.endedAt == nil) }
            }
            // The indexes placement and executors read agree with a scan of every task.
            #expect(table.pendingIDs == Set(table.tasks.values.filter { $0.state == .pending }.map(\.id)), "the pending index drifted")
            var active: [NodeID: Set<TaskID>] = [:]
            for record in table.tasks.values where record.state == .assigned || record.state == .running {
                active[record.currentAttempt!.node, default: []].insert(record.id)
            }
            #expect(table.activeIDs == active, "the index of what runs where drifted")
            #expect(TaskTable.restoring(table) == table, "a table rebuilt from its records has the same indexes")
        }
    }

    @Test("no task is lost or succeeds twice across leader changes, node deaths and stale reports", arguments: 0..<20)
    func randomHistory(seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        let nodes = (1...5).map { Fixture.node($0) }
        var alive = Set(nodes)
        var table = TaskTable()
        var invariants = Invariants()
        var known: Set<TaskID> = []
        var term: UInt64 = 1
        var now: Int64 = 0
        var reports: [TaskResult] = []  // results nodes sent, delivered late, maybe twice
        func apply(_ command: TaskCommand) {
            let events = table.apply(command)
            invariants.check(table, after: events, known: known)
        }
        func place() {
            let taken = table.allocations()
            var placer = Placer(
                nodes: nodes.filter(alive.contains).map { SchedulingNode(id: $0, capacity: Resources(cpuMillis: 2000, memoryBytes: 1 << 32), allocated: taken[$0] ?? .zero) },
                start: Int(random.next() % 64))
            let pending = table.placeable(at: now)
            let decisions = placer.place(pending.map { PlacementRequest(task: $0.id, resources: $0.spec.resources) })
            let assignments = zip(pending, decisions).compactMap { record, decision -> TaskAssignment? in
                guard case .placed(_, let node) = decision else { return nil }
                return TaskAssignment(task: record.id, attempt: record.attempts.count + 1, node: node)
            }
            if !assignments.isEmpty { apply(.assign(assignments, term: term, at: now)) }
        }
        for step in 0..<600 {
            now += Int64(random.next() % 3000)
            switch random.next() % 10 {
            case 0, 1:
                let id = Fixture.task(step)
                known.insert(id)
                apply(.submit([TaskSubmission(id: id, spec: Fixture.spec(resources: Resources(cpuMillis: 500, memoryBytes: 1 << 28), retries: Int(random.next() % 4)))], at: now))
            case 2, 3: place()
            case 4, 5:
                // A node reports on one of its attempts; the report may arrive now, later, or twice.
                let running = nodes.filter(alive.contains).flatMap { table.attempts(on: $0) }
                guard let (record, attempt) = running.randomElement(using: &random) else { continue }
                if record.state == .assigned { apply(.started(task: record.id, attempt: attempt.number, node: attempt.node, at: now)) }
                reports.append(TaskResult(task: record.id, attempt: attempt.number, term: attempt.term, node: attempt.node, exitCode: random.next() % 4 == 0 ? 1 : 0))
            case 6:
                guard !reports.isEmpty else { continue }
                let report = reports[Int(random.next() % UInt64(reports.count))]
                apply(.finished(report, at: now))
            case 7:
                let node = nodes.randomElement(using: &random)!
                if alive.contains(node), alive.count > 1 {
                    alive.remove(node)
                    apply(.nodeLost(node, at: now))
                } else {
                    alive.insert(node)
                }
            case 8: term += 1  // a new leader: it places from the same committed table
            default:
                if let id = known.randomElement(using: &random), random.next() % 5 == 0 { apply(.cancel([id], at: now)) }
            }
        }
        // Every node back, reports delivered, until nothing is left to run.
        alive = Set(nodes)
        for _ in 0..<200 {
            now += RetryBackoff.maximumMilliseconds
            place()
            for node in nodes {
                for (record, attempt) in table.attempts(on: node) {
                    apply(.finished(TaskResult(task: record.id, attempt: attempt.number, term: attempt.term, node: node, exitCode: 0), at: now))
                }
            }
            if table.tasks.values.allSatisfy(\.state.isFinal) { break }
        }
        let unended = table.tasks.values.filter { !$0.state.isFinal }.map(\.id)
        #expect(unended.isEmpty, "tasks never ended: \(unended)")
        #expect(table.tasks.values.filter { $0.state == .succeeded }.count == invariants.succeeded.count)
    }
}

extension TaskTable {
    /// The table a snapshot of `table` restores.
    static func restoring(_ table: TaskTable) -> TaskTable {
        try! TaskTable(records: table.records, nextSequence: table.lastSequence)
    }
}
