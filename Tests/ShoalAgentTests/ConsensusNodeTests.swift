import Foundation
import Logging
import ShoalConsensus
import ShoalCrypto
import ShoalTransport
import ShoalWire
import ShoalTestSupport
import Synchronization
import Testing

@testable import ShoalAgent

/// Raft replicas as the agent runs them (core, fsynced log, `raft/1` on the transport), three
/// in one process on an in-memory network: no socket, real storage.
@Suite("Raft replicas over the in-memory transport")
struct ConsensusNodeTests {
    let authority = ClusterAuthority(signingKey: .generate())
    let network = MemoryNetwork()

    struct Replica {
        let name: String
        let node: ConsensusNode<KeyValueStore>
        let wire: RaftWire
        let transport: Transport
    }

    func identity(_ name: String) throws -> (TransportIdentity, ReplicaID) {
        let key = SigningKey.generate()
        let certificate = try authority.issue(nodeKey: key.publicKey, name: name, expiresAt: UInt64.max / 2)
        let identity = TransportIdentity(
            key: key, certificate: certificate, authority: authority.publicKey, clusterID: ClusterID(authority: authority.publicKey))
        return (identity, ReplicaID(bytes: key.publicKey.bytes)!)
    }

    func transport(_ identity: TransportIdentity, at address: String) -> Transport {
        let transport = Transport(
            identity: identity, clock: ContinuousClock(), wallClock: { ShellClock.system.unixSeconds },
            dialer: network.dialer(from: address), metrics: TransportMetrics(factory: AgentMetrics(version: "test", nodeName: "t").factory),
            logger: Logger(label: "transport"))
        network.attach(transport, at: address)
        return transport
    }

    /// Three founding voters, each with its own log directory under `directory`.
    /// Holds the log traffic (appends and snapshots) to one replica while closed, and counts the
    /// read-index requests one replica receives. Heartbeats pass: a follower that stopped hearing
    /// from its leader would campaign once its election timeout ran out, however long that is,
    /// and a loaded machine can stretch a test past any timeout.
    final class Tap: Sendable {
        private let state = Mutex<(closed: Bool, dropping: Bool, held: [Message], readIndexes: Int)>((false, false, [], 0))

        /// Closes: log traffic is held for `open`, or lost if `dropping`.
        func close(dropping: Bool = false) {
            state.withLock {
                $0.closed = true
                $0.dropping = dropping
            }
        }

        var readIndexesSeen: Int { state.withLock { $0.readIndexes } }

        /// Opens, delivering what was held in order first.
        func open(to deliver: (Message) async -> Void) async {
            let held = state.withLock { state -> [Message] in
                state.closed = false
                defer { state.held = [] }
                return state.held
            }
            for message in held { await deliver(message) }
        }

        /// Delivers `message` now, or holds it if it is log traffic and the tap is closed.
        func pass(_ message: Message, to deliver: (Message) async -> Void) async {
            let hold = state.withLock { state -> Bool in
                if case .readIndex = message.kind { state.readIndexes += 1 }
                let logTraffic = switch message.kind {
                case .append, .snapshot: true
                default: false
                }
                guard logTraffic, state.closed else { return false }
                if !state.dropping { state.held.append(message) }
                return true
            }
            if !hold { await deliver(message) }
        }
    }

    /// Election timeouts of 2–4 s at 10 ms ticks and a heartbeat every 50 ms: every test in the
    /// process shares two cooperative threads, so a message can wait in their queue for far
    /// longer than it takes to deliver, and a leader that hears no quorum for one timeout steps
    /// down (check-quorum) in the middle of a test that calls the replicas directly, with no
    /// agent to retry. (0.5–1 s still lost a leader mid-test in a fresh clone's full run.)
    static func raftConfig() -> RaftConfig {
        var config = RaftConfig()
        config.electionTicks = 200
        config.heartbeatTicks = 5
        return config
    }

    func cluster(
        in directory: TemporaryDirectory, taps: [Tap]? = nil,
        compactionThreshold: LogIndex = ConsensusNode<KeyValueStore>.defaultCompactionThreshold
    ) throws -> [Replica] {
        let identities = try (0..<3).map { try identity("r\($0)") }
        let ids = identities.map(\.1)
        let addresses = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1, (host: "10.0.0.\($0 + 1)", port: 7946)) })
        let config = Self.raftConfig()
        return try identities.enumerated().map { index, pair in
            let (identity, id) = pair
            let transport = transport(identity, at: "10.0.0.\(index + 1):7946")
            let wire = RaftWire(transport: transport, myself: id, resolve: { addresses[$0] }, logger: Logger(label: "r\(index)"))
            let storage = try RaftStorage(directory: directory.path + "/r\(index)")
            let node = try ConsensusNode(
                id: id, config: config, storage: storage, bootstrap: ids, machine: KeyValueStore(), randomSeed: UInt64(index + 1),
                compactionThreshold: compactionThreshold,
                logger: Logger(label: "r\(index)"), outbox: { wire.send($0) })
            if let tap = taps?[index] {
                wire.register { message in await tap.pass(message) { await node.receive($0) } }
            } else {
                wire.register { await node.receive($0) }
            }
            return Replica(name: "r\(index)", node: node, wire: wire, transport: transport)
        }
    }

    /// Runs the replicas (transport, senders, a 10 ms ticker each) while `body` runs.
    func run(_ replicas: [Replica], _ body: () async throws -> Void) async throws {
        try await withThrowingDiscardingTaskGroup { group in
            for replica in replicas {
                group.addTask { await replica.transport.run() }
                group.addTask { await replica.wire.run() }
                group.addTask { await tickEvery10ms(replica.node) }
            }
            defer {
                for replica in replicas {
                    replica.wire.shutdown()
                    replica.transport.shutdown()
                }
                group.cancelAll()
            }
            try await body()
        }
    }

    /// The one replica that leads, once the others follow it.
    func leader(of replicas: [Replica]) async throws -> Replica {
        var found: Replica?
        try await waitFor("one leader that the other two follow") {
            var leaders: [Replica] = []
            for replica in replicas where await replica.node.role == .leader { leaders.append(replica) }
            guard leaders.count == 1 else { return false }
            for replica in replicas where await replica.node.leader != leaders[0].node.id { return false }
            found = leaders[0]
            return true
        }
        return found!
    }

    @Test("three replicas elect one leader; writes at it apply everywhere, CAS included; a linearizable read at a follower sees an acknowledged write")
    func electAndReplicate() async throws {
        let directory = TemporaryDirectory()
        let replicas = try cluster(in: directory)
        try await run(replicas) {
            let leader = try await leader(of: replicas)
            let first = try await leader.node.propose(KeyValueStore.put("x", Array("1".utf8)))
            #expect(first.outcome == .written(index: first.index))
            try await waitFor("every replica to apply the write") {
                for replica in replicas where try await replica.node.read(.stale, { $0.get("x")?.value }) != Array("1".utf8) { return false }
                return true
            }
            // A compare-and-set on a stale index changes nothing; on the current one it writes.
            let stale = try await leader.node.propose(KeyValueStore.put("x", Array("2".utf8), cas: first.index - 1))
            #expect(stale.outcome == .casFailed(current: first.index))
            let created = try await leader.node.propose(KeyValueStore.put("x", Array("2".utf8), cas: 0))
            #expect(created.outcome == .casFailed(current: first.index), "cas 0 must only create")
            let second = try await leader.node.propose(KeyValueStore.put("x", Array("2".utf8), cas: first.index))
            #expect(second.outcome == .written(index: second.index))
            // Linearizable: a read that starts after the write was acknowledged sees it, even at
            // a follower that may not have applied it yet.
            let follower = replicas.first { $0.name != leader.name }!
            // Bounded: a lost read-index request is never repeated by the core (see the test below).
            let read = await value(within: .seconds(20)) {
                try? await follower.node.read(.linearizable, { $0.get("x")?.value })
            }
            #expect(read == .some(.some(Array("2".utf8))), "the follower's linearizable read gave \(String(describing: read)) (nil: no answer in 20 s)")
            await #expect {
                _ = try await follower.node.propose(KeyValueStore.put("y", []))
            } throws: { error in
                guard case .refused(.notLeader(let known))? = error as? ProposalError else { return false }
                return known == leader.node.id
            }
        }
    }

    @Test("a linearizable read at a follower that has not heard of an acknowledged write waits for it; a stale read does not")
    func linearizableReadWaits() async throws {
        let directory = TemporaryDirectory()
        let taps = (0..<3).map { _ in Tap() }
        let replicas = try cluster(in: directory, taps: taps)
        try await run(replicas) {
            let leader = try await leader(of: replicas)
            let first = try await leader.node.propose(KeyValueStore.put("x", Array("1".utf8)))
            try await waitFor("every replica to apply the first write") {
                for replica in replicas where await replica.node.appliedIndex < first.index { return false }
                return true
            }
            let lagging = replicas.firstIndex { $0.name != leader.name }!
            let follower = replicas[lagging]
            taps[lagging].close()
            // Acknowledged by the leader and the other follower; the lagging one has not seen it.
            _ = try await leader.node.propose(KeyValueStore.put("x", Array("2".utf8)))
            #expect(try await follower.node.read(.stale, { $0.get("x")?.value }) == Array("1".utf8))
            let leaderIndex = replicas.firstIndex { $0.name == leader.name }!
            // The read asks the leader for its read point; only then does the log flow again.
            // That request, like any Raft message, may be lost (a connection that fails on a
            // loaded machine), and the core never repeats it: the agent gives a read 2 s and
            // asks again (ConsensusService), and so does this test, after 10 s.
            var value: [UInt8]?
            for _ in 0..<5 where value == nil {
                let seen = taps[leaderIndex].readIndexesSeen
                let read = Task { try await follower.node.read(.linearizable, { $0.get("x")?.value }) }
                do {
                    try await waitFor("the follower to ask the leader for a read point", seconds: 10) { taps[leaderIndex].readIndexesSeen > seen }
                } catch {
                    read.cancel()
                    continue
                }
                await taps[lagging].open { await follower.node.receive($0) }
                // Bounded too: the answer to a request the leader saw can be lost as well.
                guard let answered = await ShoalTestSupport.value(within: .seconds(10), of: { try? await read.value }) else {
                    read.cancel()
                    continue
                }
                value = answered
            }
            #expect(value == Array("2".utf8), "sent \(follower.wire.sent), leader received \(leader.wire.received)")
        }
    }

    @Test("the log is compacted into a snapshot, and a follower that missed the compacted entries is sent the snapshot")
    func compactionAndSnapshotShipping() async throws {
        let directory = TemporaryDirectory()
        let taps = (0..<3).map { _ in Tap() }
        let replicas = try cluster(in: directory, taps: taps, compactionThreshold: 4)
        try await run(replicas) {
            let leader = try await leader(of: replicas)
            let lagging = replicas.firstIndex { $0.name != leader.name }!
            // The lagging follower loses every append for a while.
            taps[lagging].close(dropping: true)
            for key in 0..<10 { _ = try await leader.node.propose(KeyValueStore.put("k\(key)", [UInt8(key)])) }
            #expect(await leader.node.snapshotIndex >= 8, "the leader did not compact its log")
            #expect(try await replicas[lagging].node.read(.stale, { $0.get("k0") }) == nil)
            await taps[lagging].open { _ in }
            try await waitFor("the lagging follower to hold every key") {
                try await replicas[lagging].node.read(.stale, { $0.list(prefix: "k").count }) == 10
            }
            // It got there through a snapshot: its own log starts past the entries it never received.
            #expect(await replicas[lagging].node.snapshotIndex >= 8)
        }
    }

    @Test("a replica restarted from its log keeps what it stored and catches up on what it missed")
    func restartFromLog() async throws {
        let directory = TemporaryDirectory()
        let replicas = try cluster(in: directory)
        try await run(replicas) {
            let leader = try await leader(of: replicas)
            _ = try await leader.node.propose(KeyValueStore.put("before", [1]))
            let index = replicas.firstIndex { $0.name != leader.name }!
            let old = replicas[index].node
            try await waitFor("the follower to apply the first write") { try await old.read(.stale, { $0.get("before") }) != nil }
            let term = await old.term
            await old.shutdown()
            // Quorum is the leader and the other follower: the write commits without the stopped one.
            _ = try await leader.node.propose(KeyValueStore.put("while-down", [2]))
            let restarted = try ConsensusNode(
                id: old.id, config: Self.raftConfig(), storage: try RaftStorage(directory: directory.path + "/r\(index)"), bootstrap: [],
                machine: KeyValueStore(), randomSeed: 99, logger: Logger(label: "restarted"), outbox: { replicas[index].wire.send($0) })
            // What it stored survived: its term, and (once the leader tells it the commit index) its writes.
            #expect(await restarted.term >= term)
            replicas[index].wire.register { await restarted.receive($0) }
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask { await tickEvery10ms(restarted) }
                defer { group.cancelAll() }
                try await waitFor("the restarted replica to apply both writes") {
                    try await restarted.read(.stale, { $0.get("before")?.value == [1] && $0.get("while-down")?.value == [2] })
                }
            }
            await restarted.shutdown()
        }
    }

    @Test("a raft message whose sender is not the connection's peer is refused and changes nothing")
    func senderMustBeThePeer() async throws {
        let directory = TemporaryDirectory()
        let replicas = try cluster(in: directory)
        let (strangerIdentity, _) = try identity("stranger")
        let stranger = transport(strangerIdentity, at: "10.0.0.9:7946")
        try await run(replicas) {
            let leader = try await leader(of: replicas)
            let victim = replicas.first { $0.name != leader.name }!
            let impersonated = replicas.first { $0.name != leader.name && $0.name != victim.name }!
            let termBefore = await victim.node.term
            // A certified node (this cluster's authority signed it) claims to be another replica
            // and asks for a vote in a far later term: the victim must not even see it.
            let forged = Message(
                from: impersonated.node.id, to: victim.node.id, term: termBefore + 100, kind: .vote(lastIndex: 1_000, lastTerm: termBefore + 99, transfer: true))
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask { await stranger.run() }
                defer { stranger.shutdown() }
                let connection = try await stranger.connect(to: "10.0.0.\(replicas.firstIndex { $0.name == victim.name }! + 1)", port: 7946, protocol: .raft)
                try await connection.send(forged.wire)
                try await waitFor("the forged message to be refused") { victim.wire.refused == 1 }
                connection.close()
            }
            #expect(await victim.node.term < termBefore + 100, "the forged vote request moved the victim's term")
            #expect(await victim.node.leader == leader.node.id)
        }
    }

    @Test("a certified peer's raft/1 frame that is no Raft message is refused, closes its connection and changes nothing")
    func undecodableFrameRefused() async throws {
        let directory = TemporaryDirectory()
        let replicas = try cluster(in: directory)
        let (strangerIdentity, _) = try identity("stranger")
        let stranger = transport(strangerIdentity, at: "10.0.0.9:7946")
        try await run(replicas) {
            let leader = try await leader(of: replicas)
            let victim = replicas.firstIndex { $0.name != leader.name }!
            let term = await replicas[victim].node.term
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask { await stranger.run() }
                defer { stranger.shutdown() }
                let connection = try await stranger.connect(to: "10.0.0.\(victim + 1)", port: 7946, protocol: .raft)
                // Field 4 of a Raft message is a vote request; here it holds bytes that are no
                // protobuf at all (an unterminated varint), so the frame does not decode.
                var notRaft = Shoal_Wire_V1_RaftSnapshot()
                notRaft.data = Data([0xff, 0xff, 0xff])
                try await connection.send(notRaft)
                try await waitFor("the frame to be refused") { replicas[victim].wire.refused == 1 }
                await #expect(throws: TransportError.self) { _ = try await connection.receive(Shoal_Wire_V1_RaftMessage.self) }
            }
            #expect(await replicas[victim].node.term == term)
            #expect(await replicas[victim].node.leader == leader.node.id)
        }
    }

    @Test("every Raft message kind survives the wire; malformed ids, kinds and configurations are typed errors")
    func wireMapping() throws {
        let a = ReplicaID(bytes: [UInt8](repeating: 1, count: 32))!, b = ReplicaID(bytes: [UInt8](repeating: 2, count: 32))!
        let snapshot = Snapshot(metadata: SnapshotMetadata(index: 9, term: 3, configuration: Configuration(voters: [a, b])), data: [1, 2, 3])
        let kinds: [MessageKind] = [
            .preVote(lastIndex: 4, lastTerm: 2), .preVoteResponse(granted: true), .vote(lastIndex: 5, lastTerm: 3, transfer: true),
            .voteResponse(granted: false),
            .append(Append(prevIndex: 3, prevTerm: 1, entries: [Entry(term: 2, index: 4, data: [9]), Entry(term: 2, index: 5, kind: .noOp)], commit: 3)),
            .appendResponse(.accepted(match: 5)), .appendResponse(.rejected(index: 6, hintIndex: 4, hintTerm: 1)),
            .heartbeat(commit: 7, leaderTick: 8, readRound: 9), .heartbeatResponse(leaderTick: 8, readRound: 9), .snapshot(snapshot),
            .timeoutNow, .readIndex(context: [7, 7]), .readIndexResponse(index: 12, context: [7, 7]),
        ]
        for kind in kinds {
            let message = Message(from: a, to: b, term: 11, kind: kind)
            let bytes: [UInt8] = try message.wire.serializedBytes()
            #expect(try Message(wire: Shoal_Wire_V1_RaftMessage(serializedBytes: bytes)) == message)
        }
        var shortID = Message(from: a, to: b, term: 1, kind: .timeoutNow).wire
        shortID.from = Data([1, 2, 3])
        var noKind = Message(from: a, to: b, term: 1, kind: .timeoutNow).wire
        noKind.kind = nil
        var badEntry = Message(from: a, to: b, term: 1, kind: .append(Append(prevIndex: 0, prevTerm: 0, entries: [Entry(term: 1, index: 1)], commit: 0))).wire
        badEntry.append.entries[0].kind = 200
        var badConfiguration = Message(from: a, to: b, term: 1, kind: .snapshot(snapshot)).wire
        badConfiguration.snapshot.configuration = Data([1, 2])
        for wire in [shortID, noKind, badEntry, badConfiguration] {
            #expect(throws: RaftWireError.self) { _ = try Message(wire: wire) }
        }
    }
}

/// A bounded wait that ran out.
struct WaitTimedOut: Error, CustomStringConvertible {
    let description: String
}

/// Polls `condition` every 10 ms until it holds; throws after `seconds`, naming `what`.
/// Ticks `node` once per 10 ms of real time until cancelled, as the agent does
/// (`ConsensusService.catchUpTicks`): a sleep that a loaded machine stretches is made up with
/// more ticks at once (up to 64), so elections and leases take the time they are configured for.
func tickEvery10ms(_ node: ConsensusNode<KeyValueStore>) async {
    let interval = Duration.milliseconds(10)
    var ticked = ContinuousClock.now
    while !Task.isCancelled {
        try? await Task.sleep(for: interval)
        let due = Int((ContinuousClock.now - ticked) / interval)
        guard due > 0 else { continue }
        ticked = due > 64 ? ContinuousClock.now : ticked + interval * due
        _ = await node.tick(min(due, 64))
    }
}

func waitFor(_ what: String, seconds: Double = 60, _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(10))
    }
    throw WaitTimedOut(description: "timed out after \(seconds) s waiting for \(what)")
}
