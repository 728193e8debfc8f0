import ShoalMembership
import ShoalObjects
import Testing

@testable import ShoalScheduler

/// The task lifecycle as committed entries (issue "Tasks" §3): pending → assigned → running →
/// succeeded | failed | cancelled | lost.
@Suite("task table")
struct TaskTableTests {
    let a = Fixture.node(1)
    let b = Fixture.node(2)

    func submitted(_ specs: [Int: TaskSpec]) -> TaskTable {
        var table = TaskTable()
        let events = table.apply(.submit(specs.keys.sorted().map { TaskSubmission(id: Fixture.task($0), spec: specs[$0]!) }, at: 0))
        #expect(!events.contains { if case .rejected = $0 { true } else { false } }, "the submission was refused: \(events)")
        return table
    }

    func result(_ task: Int, attempt: Int = 1, term: UInt64 = 1, node: NodeID, exit: Int32 = 0) -> TaskResult {
        TaskResult(task: Fixture.task(task), attempt: attempt, term: term, node: node, exitCode: exit, outputs: ["stdout": Fixture.object(task)])
    }

    @Test("an attempt runs through assigned and running to succeeded, with its outputs")
    func happyPath() {
        var table = submitted([1: Fixture.spec()])
        #expect(table.apply(.assign([TaskAssignment(task: Fixture.task(1), attempt: 1, node: a)], term: 1, at: 10)) == [.assigned(Fixture.task(1), attempt: 1, node: a, term: 1)])
        #expect(table.apply(.started(task: Fixture.task(1), attempt: 1, node: a, at: 11)) == [.started(Fixture.task(1), attempt: 1)])
        #expect(table.apply(.finished(result(1, node: a), at: 12)) == [.ended(Fixture.task(1), .succeeded)])
        #expect(table[Fixture.task(1)]?.outputs["stdout"] == Fixture.object(1))
    }

    @Test("a result carries the start time no started entry recorded; one that was recorded is kept")
    func startInResult() {
        var table = submitted([1: Fixture.spec(), 2: Fixture.spec()])
        _ = table.apply(.assign([1, 2].map { TaskAssignment(task: Fixture.task($0), attempt: 1, node: a) }, term: 1, at: 10))
        let quick = TaskResult(task: Fixture.task(1), attempt: 1, term: 1, node: a, exitCode: 0, startedAt: 11)
        #expect(table.apply(.finished(quick, at: 12)) == [.ended(Fixture.task(1), .succeeded)], "a result is taken from an assigned attempt")
        #expect(table[Fixture.task(1)]?.attempts.last?.startedAt == 11)
        _ = table.apply(.started(task: Fixture.task(2), attempt: 1, node: a, at: 13))
        _ = table.apply(.finished(TaskResult(task: Fixture.task(2), attempt: 1, term: 1, node: a, exitCode: 0, startedAt: 99), at: 100))
        #expect(table[Fixture.task(2)]?.attempts.last?.startedAt == 13)
        // A started entry that arrives after the result changes nothing.
        #expect(table.apply(.started(task: Fixture.task(1), attempt: 1, node: a, at: 11)).allSatisfy { if case .ignored = $0 { true } else { false } })
    }

    @Test("a result for an old attempt, another term or another node counts for nothing")
    func fencing() {
        var table = submitted([1: Fixture.spec()])
        _ = table.apply(.assign([TaskAssignment(task: Fixture.task(1), attempt: 1, node: a)], term: 2, at: 0))
        _ = table.apply(.nodeLost(a, at: 1))
        _ = table.apply(.assign([TaskAssignment(task: Fixture.task(1), attempt: 2, node: b)], term: 3, at: 2000))
        for stale in [result(1, attempt: 1, term: 2, node: a), result(1, attempt: 2, term: 2, node: b), result(1, attempt: 2, term: 3, node: a)] {
            #expect(table.apply(.finished(stale, at: 2001)).allSatisfy { if case .ignored = $0 { true } else { false } })
        }
        #expect(table[Fixture.task(1)]?.state == .assigned)
        #expect(table.apply(.finished(result(1, attempt: 2, term: 3, node: b), at: 2002)) == [.ended(Fixture.task(1), .succeeded)])
    }

    @Test("a second result for the same attempt changes nothing: a task succeeds once")
    func succeedsOnce() {
        var table = submitted([1: Fixture.spec()])
        _ = table.apply(.assign([TaskAssignment(task: Fixture.task(1), attempt: 1, node: a)], term: 1, at: 0))
        _ = table.apply(.finished(result(1, node: a), at: 1))
        #expect(table.apply(.finished(result(1, node: a, exit: 1), at: 2)).allSatisfy { if case .ignored = $0 { true } else { false } })
        #expect(table[Fixture.task(1)]?.state == .succeeded)
    }

    @Test("a failed attempt is retried after a growing backoff, and fails for good after its retries")
    func retries() {
        var table = submitted([1: Fixture.spec(retries: 2)])
        var now: Int64 = 0
        for attempt in 1...3 {
            _ = table.apply(.assign([TaskAssignment(task: Fixture.task(1), attempt: attempt, node: a)], term: 1, at: now))
            let events = table.apply(.finished(result(1, attempt: attempt, node: a, exit: 3), at: now))
            if attempt < 3 {
                #expect(events == [.retrying(Fixture.task(1), attempt: attempt, notBefore: now + RetryBackoff.delay(afterAttempt: attempt))])
                #expect(table.placeable(at: now).isEmpty, "a retry was placeable before its backoff")
                now += RetryBackoff.delay(afterAttempt: attempt)
                #expect(table.placeable(at: now).map(\.id) == [Fixture.task(1)])
            } else {
                #expect(events == [.ended(Fixture.task(1), .failed)])
            }
        }
        #expect(RetryBackoff.delay(afterAttempt: 2) == 2 * RetryBackoff.delay(afterAttempt: 1))
    }

    @Test("a dead node's tasks run again elsewhere; with retries 0 they are lost instead (at most once)")
    func nodeLost() {
        var table = submitted([1: Fixture.spec(), 2: Fixture.spec(retries: 0)])
        _ = table.apply(.assign([1, 2].map { TaskAssignment(task: Fixture.task($0), attempt: 1, node: a) }, term: 1, at: 0))
        _ = table.apply(.started(task: Fixture.task(1), attempt: 1, node: a, at: 1))
        let events = table.apply(.nodeLost(a, at: 5))
        #expect(events.contains(.retrying(Fixture.task(1), attempt: 1, notBefore: 5 + RetryBackoff.delay(afterAttempt: 1))))
        #expect(events.contains(.ended(Fixture.task(2), .lost)))
        #expect(table.attempts(on: a).isEmpty)
    }

    @Test("a task waits for the tasks whose outputs it reads, and fails when one of them fails")
    func dependencies() {
        let reader = TaskSpec(argv: ["cat"], inputs: [TaskInput(name: "in", source: .output(task: Fixture.task(1), path: "out"))], retries: 0)
        var table = submitted([1: Fixture.spec(outputs: ["out"], retries: 0), 2: reader])
        #expect(table.placeable(at: 0).map(\.id) == [Fixture.task(1)])
        _ = table.apply(.assign([TaskAssignment(task: Fixture.task(2), attempt: 1, node: a)], term: 1, at: 0))
        #expect(table[Fixture.task(2)]?.state == .pending, "a task was assigned before its dependency succeeded")
        _ = table.apply(.assign([TaskAssignment(task: Fixture.task(1), attempt: 1, node: a)], term: 1, at: 0))
        let events = table.apply(.finished(result(1, node: a, exit: 1), at: 1))
        #expect(events == [.ended(Fixture.task(1), .failed), .ended(Fixture.task(2), .failed)])
    }

    @Test("a running task that is cancelled is killed on its node")
    func cancel() {
        var table = submitted([1: Fixture.spec()])
        _ = table.apply(.assign([TaskAssignment(task: Fixture.task(1), attempt: 1, node: a)], term: 1, at: 0))
        #expect(table.apply(.cancel([Fixture.task(1)], at: 1)) == [.kill(Fixture.task(1), attempt: 1, node: a), .ended(Fixture.task(1), .cancelled)])
        #expect(table.apply(.finished(result(1, node: a), at: 2)).allSatisfy { if case .ignored = $0 { true } else { false } })
    }

    static let badSubmissions: [(String, [TaskSubmission], TaskSpecError)] = [
        ("an unknown task's output", [TaskSubmission(id: Fixture.task(1), spec: TaskSpec(argv: ["x"], inputs: [TaskInput(name: "i", source: .output(task: Fixture.task(9), path: "o"))]))],
         .unknownTask(Fixture.task(9))),
        ("its own output", [TaskSubmission(id: Fixture.task(1), spec: TaskSpec(argv: ["x"], inputs: [TaskInput(name: "i", source: .output(task: Fixture.task(1), path: "o"))], outputs: ["o"]))],
         .dependsOnItself(Fixture.task(1))),
        ("an output the producer does not list", [
            TaskSubmission(id: Fixture.task(1), spec: TaskSpec(argv: ["x"])),
            TaskSubmission(id: Fixture.task(2), spec: TaskSpec(argv: ["x"], inputs: [TaskInput(name: "i", source: .output(task: Fixture.task(1), path: "o"))])),
        ], .unknownOutput(task: Fixture.task(1), path: "o")),
        ("a cycle", [
            TaskSubmission(id: Fixture.task(1), spec: TaskSpec(argv: ["x"], inputs: [TaskInput(name: "i", source: .output(task: Fixture.task(2), path: "o"))], outputs: ["o"])),
            TaskSubmission(id: Fixture.task(2), spec: TaskSpec(argv: ["x"], inputs: [TaskInput(name: "i", source: .output(task: Fixture.task(1), path: "o"))], outputs: ["o"])),
        ], .cycle([Fixture.task(1), Fixture.task(2), Fixture.task(1)])),
        ("a duplicate id", [TaskSubmission(id: Fixture.task(1), spec: TaskSpec(argv: ["x"])), TaskSubmission(id: Fixture.task(1), spec: TaskSpec(argv: ["y"]))],
         .duplicateTask(Fixture.task(1))),
    ]

    @Test("a submission naming what does not exist, or with a cycle, is refused whole", arguments: badSubmissions)
    func refusedSubmissions(name: String, submissions: [TaskSubmission], error: TaskSpecError) {
        var table = TaskTable()
        #expect(table.apply(.submit(submissions, at: 0)) == [.rejected(error)])
        #expect(table.tasks.isEmpty)
    }

    @Test("forget removes the tasks that ended before its time, but not one an unfinished task reads, nor one still running")
    func forget() {
        let reader = TaskSpec(argv: ["cat"], inputs: [TaskInput(name: "in", source: .output(task: Fixture.task(1), path: "out"))], retries: 0)
        var table = submitted([1: Fixture.spec(outputs: ["out"], retries: 0), 2: reader, 3: Fixture.spec(), 4: Fixture.spec()])
        _ = table.apply(.assign([1, 3, 4].map { TaskAssignment(task: Fixture.task($0), attempt: 1, node: a) }, term: 1, at: 0))
        _ = table.apply(.finished(result(1, node: a), at: 10))
        _ = table.apply(.finished(result(3, node: a), at: 20))
        // 1 ended at 10, but 2 (pending) reads its output; 3 ended at 20; 4 still runs.
        #expect(table.forgettable(endedBefore: 100) == [Fixture.task(3)])
        #expect(table.apply(.forget(endedBefore: 100)) == [.forgotten(Fixture.task(3))])
        #expect(table[Fixture.task(3)] == nil)
        #expect(table.placeable(at: 100).map(\.id) == [Fixture.task(2)], "the reader still finds its producer")
        _ = table.apply(.assign([TaskAssignment(task: Fixture.task(2), attempt: 1, node: b)], term: 1, at: 100))
        _ = table.apply(.finished(result(2, node: b), at: 110))
        // Now nothing waits on 1: it goes with 2 once both are old enough, and 4 never while it runs.
        #expect(table.apply(.forget(endedBefore: 105)) == [.forgotten(Fixture.task(1))])
        #expect(table.apply(.forget(endedBefore: 1_000)) == [.forgotten(Fixture.task(2))])
        #expect(table.tasks.keys.sorted() == [Fixture.task(4)])
        #expect(table.apply(.forget(endedBefore: 1_000)).isEmpty)
        // The indexes are those of a table built from what is left (a snapshot of it).
        #expect(table == (try? TaskTable(records: table.records, nextSequence: table.lastSequence)))
    }

    @Test("pending tasks are placed by priority, then in submission order")
    func placementOrder() {
        let table = submitted([1: Fixture.spec(priority: 10), 2: Fixture.spec(priority: 90), 3: Fixture.spec(priority: 10)])
        #expect(table.placeable(at: 0).map(\.id) == [Fixture.task(2), Fixture.task(1), Fixture.task(3)])
    }
}
