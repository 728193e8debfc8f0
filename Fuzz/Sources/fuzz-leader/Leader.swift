// fuzz-leader: what `leader/1` carries, as the agent maps it (ShoalAgent, ConsensusService+
// Requests, +Tasks, +Bootstrap; TaskWire): requests a certified peer sends the leader (key-value
// requests, bootstrap asks and releases, task commands and queries), and the answers a leader
// sends back (task records, key-value pairs).
//
// Input: a mode byte, then by mode % 2: 0 a `LeaderRequest`; 1 a `LeaderResponse`.
import Foundation
import FuzzSupport
import FuzzSamples
@testable import ShoalAgent
import ShoalConsensus
import ShoalMembership
import ShoalScheduler
import ShoalWire
import SwiftProtobuf

@main
enum FuzzLeader {
    static func main() { runLibFuzzer(seeds: seeds(), fuzz) }
}

let me = ReplicaID(bytes: Array(repeating: 0x07, count: 32))!
let peer = ReplicaID(bytes: Array(repeating: 0x01, count: 32))!

/// A task table holding the samples' submission, the state a command from a peer meets.
let table: TaskTable = {
    var table = TaskTable()
    _ = table.apply(TaskSamples.commands[0])
    return table
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    // As `PeerConnection.receive` decodes a record's header.
    if input.byte() % 2 == 0 {
        if let request = try? Shoal_Wire_V1_LeaderRequest(serializedBytes: input.rest()) { checkRequest(request) }
    } else {
        if let response = try? Shoal_Wire_V1_LeaderResponse(serializedBytes: input.rest()) { checkResponse(response) }
    }
    return 0
}

func checkRequest(_ request: Shoal_Wire_V1_LeaderRequest) {
    switch request.op {
    case .bootstrap(let ask)?:
        // As `answerBootstrap`: bounded, every id 32 bytes, then the pure rule.
        guard ask.voters.count <= Bootstrap.maximumFounders else { return }
        let voters = ask.voters.compactMap { ReplicaID(bytes: [UInt8]($0)) }
        guard voters.count == ask.voters.count else { return }
        let standing = Bootstrap.answer(ask: voters, from: peer, promise: ask.promise, me: me, standing: .free)
        if case .promised(let promise) = standing {
            require(Bootstrap.isWellFormed(voters: promise.voters, coordinator: peer) && promise.voters.contains(me), "promised to a malformed ask")
            require(Bootstrap.release(voters: voters, from: peer, standing: standing) == .free, "the ask's own release does not free the promise")
        }
    case .release(let release)?:
        let voters = release.voters.compactMap { ReplicaID(bytes: [UInt8]($0)) }
        _ = Bootstrap.release(voters: voters, from: peer, standing: .free)
    case .task(let task)?:
        switch task.op {
        case .command(let wire)?: checkTaskCommand(wire)
        case .query(let wire)?:
            guard let query = try? TaskQuery(wire: wire) else { return }
            require((try? TaskQuery(wire: query.wire)) == query, "a task query maps to the schema and back as another")
            _ = query.select(from: table)
        case nil: return
        }
    case .transfer, .peers, nil:
        return
    default:
        guard let kv = KVRequest(wire: request) else { fatalError("a key-value request does not map") }
        let wire = kv.wire
        require(KVRequest(wire: wire)?.wire == wire, "a key-value request maps to the schema and back as another")
        _ = try? ConsensusService.validate(kv)
    }
}

/// Maps to a command that maps back to itself; one a peer may propose applies to the table
/// alike on two replicas.
func checkTaskCommand(_ wire: Shoal_Wire_V1_TaskCommand) {
    guard let command = try? TaskCommand(wire: wire) else { return }
    require((try? TaskCommand(wire: command.wire)) == command, "a task command maps to the schema and back as another")
    guard ConsensusService.mayPropose(command, from: NodeID(bytes: peer.bytes)) == nil else { return }
    var replica = table, other = table
    require(replica.apply(command) == other.apply(command), "two replicas applied a task command differently")
    require(replica == other, "two replicas that applied the same command differ")
}

func checkResponse(_ response: Shoal_Wire_V1_LeaderResponse) {
    switch response.result {
    case .tasks(let answer)?:
        for wire in answer.tasks {
            guard let record = try? TaskRecord(wire: wire) else { continue }
            require((try? TaskRecord(wire: record.wire)) == record, "a task record maps to the schema and back as another")
        }
        for id in answer.changed { _ = try? TaskID(wire: id) }
    case .kv(let result)?:
        for wire in result.pairs {
            let pair = KeyValueStore.Pair(wire: wire)
            require(KeyValueStore.Pair(wire: pair.wire) == pair, "a key-value pair maps to the schema and back as another")
        }
    case .answer(let answer)?:
        _ = ReplicaID(bytes: [UInt8](answer.coordinator))
        _ = answer.voters.compactMap { ReplicaID(bytes: [UInt8]($0)) }
    default:
        return
    }
}

func seeds() -> [(name: String, bytes: [UInt8])] {
    func request(_ build: (inout Shoal_Wire_V1_LeaderRequest) -> Void) -> [UInt8] {
        var request = Shoal_Wire_V1_LeaderRequest()
        build(&request)
        return [0] + PayloadCodec.encode(request)
    }
    var seeds: [(name: String, bytes: [UInt8])] = [
        ("kv-put", request { $0 = KVRequest.put(key: "a/b", value: [1, 2], cas: 3).wire }),
        ("kv-delete", request { $0 = KVRequest.delete(key: "a/b", cas: nil).wire }),
        ("kv-watch", request { $0 = KVRequest.read(key: "a/", list: true, stale: false, watch: KVWatch(index: 4, wait: .seconds(5))).wire }),
        ("bootstrap", request { $0.bootstrap = .with { $0.voters = [peer, me].map { Data($0.bytes) }; $0.promise = true } }),
        ("release", request { $0.release = .with { $0.voters = [peer, me].map { Data($0.bytes) } } }),
        ("task-query", request { $0.task = .with { $0.query = TaskQuery(ids: [TaskSamples.first], state: .pending, watch: KVWatch(index: 1, wait: .seconds(1))).wire } }),
    ]
    for (offset, command) in TaskSamples.commands.enumerated() {
        seeds.append(("task-command-\(offset)", request { $0.task = .with { $0.command = command.wire } }))
    }
    var table = TaskTable()
    for command in TaskSamples.commands.prefix(4) { _ = table.apply(command) }
    var tasks = Shoal_Wire_V1_LeaderResponse()
    tasks.tasks = .with { $0.index = 9; $0.tasks = table.records.map(\.wire); $0.changed = [TaskSamples.first.rawValue] }
    var kv = Shoal_Wire_V1_LeaderResponse()
    kv.kv = .with { $0.index = 3; $0.pairs = [KeyValueStore.Pair(key: "k", value: [7], createIndex: 1, modifyIndex: 3).wire] }
    seeds.append(("response-tasks", [1] + PayloadCodec.encode(tasks)))
    seeds.append(("response-kv", [1] + PayloadCodec.encode(kv)))
    return seeds
}
