import Foundation
import ShoalConsensus
import ShoalMembership
import ShoalObjects
import ShoalScheduler
import ShoalWire
import Testing

@testable import ShoalAgent

/// The task table inside the replicated cluster state: its entries' encoding, what applying
/// them does, and snapshots that keep it (issue: tasks, item 3).
@Suite("task table in the cluster state")
struct TaskStateTests {
    static let nodeA = NodeID(bytes: [UInt8](repeating: 1, count: 32))
    static let nodeB = NodeID(bytes: [UInt8](repeating: 2, count: 32))
    static let object = ObjectID(Multihash(hashing: [1, 2, 3]))

    static func id(_ text: String) -> TaskID { TaskID(text)! }

    static var spec: TaskSpec {
        TaskSpec(
            argv: ["sh", "-c", "cat in > out"], environment: ["A": "1"], resources: Resources(cpuMillis: 250, memoryBytes: 1 << 20),
            constraints: [LabelConstraint(key: "zone", value: "a")], inputs: [TaskInput(name: "in", source: .object(object))], outputs: ["out"],
            timeoutMilliseconds: 5_000, retries: 2, priority: 70, strategy: .spread)
    }

    static var commands: [TaskCommand] {
        [
            .submit(
                [
                    TaskSubmission(id: id("t-a"), spec: spec),
                    TaskSubmission(id: id("t-b"), spec: TaskSpec(argv: ["true"], inputs: [TaskInput(name: "x", source: .output(task: id("t-a"), path: "out"))])),
                ], at: 1_000),
            .assign([TaskAssignment(task: id("t-a"), attempt: 1, node: nodeA)], term: 3, at: 1_100),
            .unplaceable([id("t-b"): "waiting for resources"]),
            .started(task: id("t-a"), attempt: 1, node: nodeA, at: 1_200),
            .finished(
                TaskResult(
                    task: id("t-a"), attempt: 1, term: 3, node: nodeA, exitCode: 0, failure: nil, outputs: ["out": object, "stdout": object],
                    startedAt: 1_250),
                at: 1_300),
            .finished(TaskResult(task: id("t-b"), attempt: 1, term: 3, node: nodeB, exitCode: nil, failure: "timed out"), at: 1_400),
            .cancel([id("t-b")], at: 1_500),
            .nodeLost(nodeB, at: 1_600),
            .forget(endedBefore: 1_700),
        ]
    }

    func entry(_ command: TaskCommand, at index: LogIndex) -> Entry {
        Entry(term: 3, index: index, data: ClusterState.command(command))
    }

    @Test("every task command survives its encoding unchanged")
    func commandsRoundTrip() throws {
        for command in Self.commands {
            let bytes = try command.wire.serializedBytes() as [UInt8]
            #expect(try TaskCommand(wire: Shoal_Wire_V1_TaskCommand(serializedBytes: bytes)) == command)
        }
    }

    @Test("bytes that name no valid task, node or object are refused with a reason, and change nothing")
    func badCommandsRefused() throws {
        let state = ClusterState()
        var badID = Shoal_Wire_V1_TaskCommand()
        badID.cancel = .with { $0.tasks = ["Not A Task"] }
        var shortNode = Shoal_Wire_V1_TaskCommand()
        shortNode.nodeLost = Data([1, 2, 3])
        var badObject = Shoal_Wire_V1_TaskCommand()
        badObject.submit = .with {
            $0.tasks = [.with { $0.id = "t-x"; $0.spec = .with { $0.argv = ["true"]; $0.inputs = [.with { $0.name = "a"; $0.object = Data([9, 9]) }] } }]
        }
        for (index, command) in [badID, shortNode, badObject, Shoal_Wire_V1_TaskCommand()].enumerated() {
            var wire = Shoal_Wire_V1_KVCommand()
            wire.tasks = command
            let outcome = state.apply(Entry(term: 1, index: LogIndex(index + 1), data: try wire.serializedBytes()))
            guard case .invalid(let why) = outcome else {
                Issue.record("command \(index) was applied: \(outcome)")
                continue
            }
            #expect(!why.isEmpty)
        }
        #expect(state.tasks.records.isEmpty)
        #expect(state.tasksIndex == 0, "a refused command does not move the watch index")
    }

    @Test("task entries and key-value entries share the log; the watch index moves with task changes only")
    func applyBoth() {
        let state = ClusterState()
        #expect(state.apply(Entry(term: 1, index: 1, data: KeyValueStore.put("k", [1]))) == .kv(.written(index: 1)))
        guard case .tasks(let index, let events) = state.apply(entry(Self.commands[0], at: 2)) else {
            Issue.record("the submit was not applied as a task command")
            return
        }
        #expect(index == 2)
        #expect(events.contains(.submitted(Self.id("t-a"))))
        #expect(state.tasksIndex == 2)
        #expect(state.apply(Entry(term: 1, index: 3, data: KeyValueStore.put("k", [2]))) == .kv(.written(index: 3)))
        #expect(state.tasksIndex == 2, "a key-value write does not wake task watches")
        // A stale assignment (attempt 5 is not the next) changes nothing: the index stays.
        _ = state.apply(entry(.assign([TaskAssignment(task: Self.id("t-a"), attempt: 5, node: Self.nodeA)], term: 3, at: 1), at: 4))
        #expect(state.tasksIndex == 2)
        // A reason for staying pending is news to `shoal task`: it moves the index.
        _ = state.apply(entry(.unplaceable([Self.id("t-a"): "no room"]), at: 5))
        #expect(state.tasksIndex == 5)
        #expect(state.tasks[Self.id("t-a")]?.reason == "no room")
        #expect(state.kv.get("k")?.value == [2])
    }

    @Test("a snapshot keeps the task table whole, and restores it on another replica exactly")
    func snapshotRoundTrip() throws {
        let state = ClusterState()
        _ = state.apply(Entry(term: 1, index: 1, data: KeyValueStore.put("k", [7])))
        for (offset, command) in Self.commands.enumerated() { _ = state.apply(entry(command, at: LogIndex(offset + 2))) }
        let restored = ClusterState()
        try restored.restore(state.snapshot())
        #expect(restored.tasks == state.tasks)
        #expect(restored.tasksIndex == state.tasksIndex)
        #expect(restored.kv.get("k")?.value == [7])
        // The restored table goes on applying as the original does.
        let next = TaskCommand.submit([TaskSubmission(id: Self.id("t-c"), spec: TaskSpec(argv: ["true"]))], at: 2_000)
        #expect(restored.apply(entry(next, at: 20)) == state.apply(entry(next, at: 20)))
        #expect(restored.tasks == state.tasks)
    }

    @Test("a snapshot from before tasks existed restores with an empty table; a damaged one is refused and changes nothing")
    func oldAndDamagedSnapshots() throws {
        let store = KeyValueStore()
        _ = store.apply(Entry(term: 1, index: 1, data: KeyValueStore.put("old", [1])))
        let state = ClusterState()
        try state.restore(store.snapshot())
        #expect(state.kv.get("old")?.value == [1])
        #expect(state.tasks.records.isEmpty)

        _ = state.apply(entry(Self.commands[0], at: 2))
        let before = state.tasks
        var damaged = try Shoal_Wire_V1_KVSnapshot(serializedBytes: state.snapshot())
        damaged.tasks.tasks.append(damaged.tasks.tasks[0])
        #expect(throws: KeyValueStore.SnapshotError.self) { try state.restore(try damaged.serializedBytes()) }
        #expect(state.tasks == before, "a refused snapshot left the table as it was")
        #expect(state.kv.get("old")?.value == [1])
    }
}
