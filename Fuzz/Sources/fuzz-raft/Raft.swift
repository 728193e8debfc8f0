// fuzz-raft: what `raft/1` carries, as the agent maps it (ShoalAgent `RaftWireMapping`): Raft
// messages from a certified replica, and the entries and snapshots they carry as the cluster
// state (the key-value store and the task table) applies and restores them.
//
// Input: a mode byte, then by mode % 3:
//   0  a `RaftMessage`;
//   1  entries' data, each after a u16 length, applied in order to the cluster state;
//   2  a cluster-state snapshot, restored.
import Foundation
import FuzzSupport
import FuzzSamples
@testable import ShoalAgent
import ShoalConsensus
import ShoalWire
import SwiftProtobuf

@main
enum FuzzRaft {
    static func main() { runLibFuzzer(seeds: seeds(), fuzz) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    switch input.byte() % 3 {
    case 0: checkMessage(input.rest())
    case 1:
        var entries: [[UInt8]] = []
        while !input.isAtEnd { entries.append(input.lengthPrefixed()) }
        checkEntries(entries)
    default: checkSnapshot(input.rest())
    }
    return 0
}

/// Maps to a Raft message that maps back to itself, or is refused with a typed error.
func checkMessage(_ bytes: [UInt8]) {
    // As `PeerConnection.receive` decodes a record's header.
    guard let wire = try? Shoal_Wire_V1_RaftMessage(serializedBytes: bytes) else { return }
    let message: ShoalConsensus.Message
    do {
        message = try ShoalConsensus.Message(wire: wire)
    } catch {
        return
    }
    let again = (try? Shoal_Wire_V1_RaftMessage(serializedBytes: PayloadCodec.encode(message.wire))).flatMap { try? ShoalConsensus.Message(wire: $0) }
    require(again == message, "a Raft message maps to the schema and back as another")
}

/// The state is deterministic (two replicas applying the same entries agree on every outcome
/// and on the state), and a snapshot restores exactly the state it was taken of.
func checkEntries(_ entries: [[UInt8]]) {
    let replica = ClusterState(), other = ClusterState()
    for (offset, data) in entries.enumerated() {
        let entry = Entry(term: 1, index: LogIndex(offset + 1), kind: .normal, data: data)
        require(replica.apply(entry) == other.apply(entry), "two replicas applied entry \(offset + 1) differently")
    }
    require(same(replica, other), "two replicas that applied the same entries differ")
    let restored = ClusterState()
    do {
        try restored.restore(replica.snapshot())
    } catch {
        fatalError("the state's own snapshot does not restore: \(error)")
    }
    require(same(restored, replica), "a snapshot restores another state than it was taken of")
}

/// A snapshot restores, or is refused; what restores snapshots and restores again to the same state.
func checkSnapshot(_ bytes: [UInt8]) {
    let state = ClusterState()
    do {
        try state.restore(bytes)
    } catch {
        require(same(state, ClusterState()), "a refused snapshot changed the state")
        return
    }
    let again = ClusterState()
    do {
        try again.restore(state.snapshot())
    } catch {
        fatalError("a restored state's snapshot does not restore: \(error)")
    }
    require(same(again, state), "a restored state snapshots to another")
}

func same(_ a: ClusterState, _ b: ClusterState) -> Bool {
    a.kv.list(prefix: "") == b.kv.list(prefix: "") && a.kv.lastDeleteIndex == b.kv.lastDeleteIndex && a.tasks == b.tasks
        && a.tasksIndex == b.tasksIndex
}

func seeds() -> [(name: String, bytes: [UInt8])] {
    let a = ReplicaID(bytes: Array(repeating: 1, count: 32))!, b = ReplicaID(bytes: Array(repeating: 2, count: 32))!
    let configuration = Configuration(voters: [a, b], learners: [ReplicaID(bytes: Array(repeating: 3, count: 32))!])
    let append = ShoalConsensus.Message(from: a, to: b, term: 4, kind: .append(Append(
        prevIndex: 9, prevTerm: 3, entries: [
            Entry(term: 4, index: 10, kind: .normal, data: KeyValueStore.put("k", [1])),
            Entry(term: 4, index: 11, kind: .configuration, data: configuration.encoded),
            Entry(term: 4, index: 12, kind: .noOp, data: []),
        ], commit: 9)))
    let snapshot = ShoalConsensus.Message(from: a, to: b, term: 4, kind: .snapshot(Snapshot(
        metadata: SnapshotMetadata(index: 20, term: 4, configuration: configuration), data: [9, 9])))
    let kinds: [MessageKind] = [
        .preVote(lastIndex: 3, lastTerm: 2), .vote(lastIndex: 3, lastTerm: 2, transfer: true), .voteResponse(granted: true),
        .appendResponse(.rejected(index: 5, hintIndex: 4, hintTerm: 1)), .heartbeat(commit: 3, leaderTick: 8, readRound: 2),
        .readIndexResponse(index: 7, context: [1, 2]), .timeoutNow,
    ]
    func entries(_ commands: [[UInt8]]) -> [UInt8] {
        var writer = FuzzInputWriter()
        writer.byte(1)
        for command in commands { writer.lengthPrefixed(command) }
        return writer.bytes
    }
    let kv = [KeyValueStore.put("a", Array("one".utf8)), KeyValueStore.put("b/c", [0, 1], cas: 0), KeyValueStore.delete("a", cas: 1),
              KeyValueStore.put("b/c", [2], cas: 2)]
    let tasks = TaskSamples.commands.map(ClusterState.command)
    let state = ClusterState()
    for (offset, data) in (kv + tasks.prefix(4)).enumerated() { _ = state.apply(Entry(term: 1, index: LogIndex(offset + 1), kind: .normal, data: data)) }
    return [
        ("append", [0] + PayloadCodec.encode(append.wire)),
        ("snapshot-message", [0] + PayloadCodec.encode(snapshot.wire)),
    ] + kinds.enumerated().map { offset, kind in
        ("message-\(offset)", [0] + PayloadCodec.encode(ShoalConsensus.Message(from: b, to: a, term: 5, kind: kind).wire))
    } + [
        ("kv-entries", entries(kv)),
        ("task-entries", entries(tasks)),
        ("snapshot", [2] + state.snapshot()),
    ]
}
