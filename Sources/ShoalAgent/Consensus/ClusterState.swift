import Foundation
import ShoalConsensus
import ShoalScheduler
import ShoalWire

/// The state machine under the cluster's Raft group: the key-value store and the task table,
/// applied in log order on every replica. An entry is one `KVCommand`: a key-value write, or
/// (its `tasks` case) one task command, so logs written before tasks existed read unchanged.
final class ClusterState: ReplicatedStateMachine {
    /// What applying one entry did.
    enum Outcome: Sendable, Equatable {
        case kv(KeyValueStore.Outcome)
        /// A task command applied at `index`, and what it changed.
        case tasks(index: LogIndex, events: [TaskEvent])
        /// Bytes that are no command (refused on every replica alike).
        case invalid(String)
    }

    let kv = KeyValueStore()
    private(set) var tasks = TaskTable()
    /// The index of the last entry that changed the task table: what a task watch compares.
    private(set) var tasksIndex: LogIndex = 0

    /// The entry bytes of a task command.
    static func command(_ command: TaskCommand) -> [UInt8] {
        var wire = Shoal_Wire_V1_KVCommand()
        wire.tasks = command.wire
        return try! wire.serializedBytes()
    }

    func apply(_ entry: Entry) -> Outcome {
        guard let command = try? Shoal_Wire_V1_KVCommand(serializedBytes: entry.data) else { return .invalid("not a command of the cluster state") }
        guard case .tasks(let wire) = command.op else { return .kv(kv.apply(command, at: entry.index)) }
        let taskCommand: TaskCommand
        do {
            taskCommand = try TaskCommand(wire: wire)
        } catch {
            return .invalid(error.description)
        }
        let events = tasks.apply(taskCommand)
        if events.contains(where: \.changesTable) { tasksIndex = entry.index }
        return .tasks(index: entry.index, events: events)
    }

    func snapshot() -> [UInt8] {
        var snapshot = kv.snapshotMessage()
        snapshot.tasks = .with {
            $0.tasks = tasks.records.map(\.wire)
            $0.nextSequence = tasks.lastSequence
            $0.index = tasksIndex
        }
        return try! snapshot.serializedBytes()
    }

    func restore(_ bytes: [UInt8]) throws {
        let snapshot: Shoal_Wire_V1_KVSnapshot
        do {
            snapshot = bytes.isEmpty ? Shoal_Wire_V1_KVSnapshot() : try Shoal_Wire_V1_KVSnapshot(serializedBytes: bytes)
        } catch {
            throw KeyValueStore.SnapshotError(description: "the cluster snapshot does not decode: \(error)")
        }
        let restored: TaskTable
        do {
            restored = try TaskTable(
                records: try snapshot.tasks.tasks.map { record throws(TaskWireError) in try TaskRecord(wire: record) },
                nextSequence: snapshot.tasks.nextSequence)
        } catch {
            throw KeyValueStore.SnapshotError(description: "the snapshot's task table is refused: \(error)")
        }
        try kv.restore(snapshot)
        tasks = restored
        tasksIndex = snapshot.tasks.index
    }
}

extension TaskEvent {
    /// False for what changed nothing (an ignored or rejected command).
    var changesTable: Bool {
        switch self {
        case .ignored, .rejected: false
        default: true
        }
    }
}
