import Foundation
import Logging
import Metrics
import ShoalConsensus
import ShoalCrypto
import ShoalTransport
import ShoalWire
import Testing

@testable import ShoalAgent

/// Real agents founding their Raft group, electing, forwarding and failing over (issue:
/// leadership). Every wait is bounded; none is a timing assertion.
@Suite("leadership among real agents", .serialized)
struct LeadershipProcessTests {
    func put(_ key: String, _ value: String, via i: Int, in cluster: LocalCluster, query: String = "") async throws -> (status: Int, body: String) {
        let (status, body) = try await AdminClient(socketPath: cluster.socket(i)).put("/v1/kv/\(key)\(query)", body: Array(value.utf8))
        return (status, String(decoding: body, as: UTF8.self))
    }

    func value(_ key: String, seenBy i: Int, in cluster: LocalCluster, stale: Bool = false) async -> String? {
        guard let pair = try? await AdminClient(socketPath: cluster.socket(i)).get("/v1/kv/\(key)\(stale ? "?stale" : "")", as: AdminAPI.KVPair.self),
            let bytes = Data(base64Encoded: pair.value)
        else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test("four agents found a group of three voters and a client; writes through any agent are read everywhere and survive kill -9 of the leader")
    func foundWriteFailover() async throws {
        let cluster = try await LocalCluster(subnet: 61)
        #expect(try await cluster.startConverged(4))
        let first = try #require(await cluster.agreedLeader([1, 2, 3, 4]), "the agents never agreed on a leader")
        let leaderIndex = try #require((1...4).first { cluster.name($0) == first.name })

        let peers = try await AdminClient(socketPath: cluster.socket(1)).get("/v1/raft/peers", as: AdminAPI.RaftPeers.self)
        #expect(peers.peers.filter { $0.role == "voter" }.count == 3)
        #expect(peers.peers.filter { $0.role == "client" }.count == 1)
        for peer in peers.peers where peer.role == "voter" {
            // The leader has heard from each follower since its election, and has no contact with itself.
            #expect((peer.id == peers.leader) == (peer.lastContactMilliseconds == nil), "last contact of \(peer.name)")
        }
        let client = try #require((1...4).first { i in peers.peers.contains { $0.name == cluster.name(i) && $0.role == "client" } })
        #expect(await cluster.leader(seenBy: client)?.role == "client")

        // A write through a follower and one through the client (both forwarded to the leader).
        let follower = try #require((1...4).first { $0 != leaderIndex && $0 != client })
        #expect(try await put("app/config", "one", via: follower, in: cluster).status == 200)
        #expect(try await put("app/client", "two", via: client, in: cluster).status == 200)
        for i in 1...4 {
            #expect(await value("app/config", seenBy: i, in: cluster) == "one", "agent \(i) reads the follower's write")
            #expect(await value("app/client", seenBy: i, in: cluster) == "two", "agent \(i) reads the client's write")
        }

        // A watch through the client (a blocking read it forwards): it answers once the key
        // changes after the index it names, with the new value, not before.
        let watcher = AdminClient(socketPath: cluster.socket(client))
        #expect(try await put("app/watched", "before", via: follower, in: cluster).status == 200)
        let seen = try await watcher.get("/v1/kv/app/watched", header: AdminAPI.indexHeaderName)
        let seenIndex = try #require(seen.header.flatMap(UInt64.init), "a read carries its index")
        async let watched = watcher.get("/v1/kv/app/watched?index=\(seenIndex)&wait=30s", header: AdminAPI.indexHeaderName)
        try await Task.sleep(for: .milliseconds(300))  // the watch is waiting by now (if not, it still sees the write)
        #expect(try await put("app/watched", "after", via: follower, in: cluster).status == 200)
        let change = try await watched
        let changedIndex = try #require(change.header.flatMap(UInt64.init), "a watch's answer carries its index")
        #expect(change.status == 200 && changedIndex > seenIndex)
        #expect(try JSONDecoder().decode(AdminAPI.KVPair.self, from: Data(change.body)).value == Data("after".utf8).base64EncodedString())
        // With nothing changing, the watch answers what is there once its wait is over.
        let quiet = try await watcher.get("/v1/kv/app/watched?index=\(changedIndex)&wait=200ms", header: AdminAPI.indexHeaderName)
        #expect(quiet.status == 200 && quiet.header == String(changedIndex))

        _ = try await cluster.agents[leaderIndex]!.stop(signal: SIGKILL)
        let survivors = (1...4).filter { $0 != leaderIndex }
        var accepted = false
        _ = await cluster.eventually(timeout: .seconds(30)) {
            accepted = (try? await put("after", "three", via: survivors[0], in: cluster).status) == 200
            return accepted
        }
        #expect(accepted, "no write was accepted after the leader was killed")
        let second = try #require(await cluster.agreedLeader(survivors), "the survivors never agreed on a new leader")
        #expect(second.name != first.name)
        #expect(second.term > first.term)
        for i in survivors {
            #expect(await value("app/config", seenBy: i, in: cluster) == "one", "an acknowledged write was lost at agent \(i)")
        }

        // The old leader restarts from its log and catches up on what it missed. It joins through
        // a survivor: agent 1 is everyone's seed and would otherwise start knowing no one (a
        // restarted member with no seed is not found again by membership; see the notes).
        try cluster.start(leaderIndex, seed: cluster.address(survivors[0]))
        _ = try await cluster.agents[leaderIndex]!.waitUntilServing()
        let caughtUp = await cluster.eventually(timeout: .seconds(30)) {
            await value("after", seenBy: leaderIndex, in: cluster, stale: true) == "three"
        }
        #expect(caughtUp, "the restarted agent never caught up")
    }

    @Test("a leader paused past its lease, while the others elect and take a newer write, never answers a read from its old lease")
    func pausedLeaderServesNoStaleRead() async throws {
        let cluster = try await LocalCluster(subnet: 67)
        #expect(try await cluster.startConverged(3))
        var answered = 0
        for round in 0..<4 {
            let leader = try #require(await cluster.agreedLeader([1, 2, 3]), "no leader before round \(round)")
            let old = try #require((1...3).first { cluster.name($0) == leader.name })
            let other = old % 3 + 1
            #expect(try await put("paused", "old \(round)", via: old, in: cluster).status == 200)
            let pid = cluster.agents[old]!.process.processIdentifier
            kill(pid, SIGSTOP)
            let accepted = await cluster.eventually(timeout: .seconds(20)) {
                (try? await put("paused", "new \(round)", via: other, in: cluster).status) == 200
            }
            // The read reaches the paused leader's socket now and is read when it resumes, with
            // the new leader's messages waiting beside it.
            async let read = value("paused", seenBy: old, in: cluster)
            try await Task.sleep(for: .milliseconds(200))
            kill(pid, SIGCONT)
            let seen = await read
            #expect(accepted, "round \(round): the others took no write while the leader was paused")
            #expect(seen == nil || seen == "new \(round)", "round \(round): the resumed leader answered \(seen ?? "nothing") from its expired lease")
            if seen != nil { answered += 1 }
        }
        // A refused or failed read is allowed in a round, but four of them would prove nothing.
        #expect(answered > 0, "the resumed leader answered no read in four rounds")
    }

    @Test("bad key-value requests get a typed 4xx and change nothing")
    func badRequests() async throws {
        let cluster = try await LocalCluster(subnet: 62)
        #expect(try await cluster.startConverged(3))
        #expect(await cluster.agreedLeader([1, 2, 3]) != nil)
        let admin = AdminClient(socketPath: cluster.socket(2))
        func message(_ body: [UInt8]) -> String { (try? JSONDecoder().decode(AdminAPI.ErrorBody.self, from: Data(body)))?.error.message ?? "" }

        let long = String(repeating: "k", count: 513)
        let (tooLong, tooLongBody) = try await admin.put("/v1/kv/\(long)", body: Array("v".utf8))
        #expect(tooLong == 400 && message(tooLongBody).contains("513 bytes"))
        let (tooBig, _) = try await admin.put("/v1/kv/big", body: [UInt8](repeating: 1, count: (512 << 10) + 1))
        #expect(tooBig == 413)
        let (badCas, _) = try await admin.put("/v1/kv/x?cas=abc", body: [])
        #expect(badCas == 400)
        let (badWait, badWaitBody) = try await admin.request(.GET, "/v1/kv/x?index=1&wait=soon")
        #expect(badWait == 400 && message(badWaitBody).contains("wait must be a duration"))
        let (badIndex, _) = try await admin.request(.GET, "/v1/kv?prefix=x&index=-1")
        #expect(badIndex == 400)

        let created = try await put("x", "1", via: 2, in: cluster, query: "?cas=0")
        #expect(created.status == 200)
        let index = try JSONDecoder().decode(AdminAPI.KVWrite.self, from: Data(created.body.utf8)).index
        // cas=0 means "only if absent": the key now exists.
        let (again, againBody) = try await admin.put("/v1/kv/x?cas=0", body: Array("2".utf8))
        #expect(again == 409 && message(againBody).contains("modify index is \(index)"))
        let (stale, _) = try await admin.put("/v1/kv/x?cas=\(index + 100)", body: Array("3".utf8))
        #expect(stale == 409)
        let (staleDelete, _) = try await admin.delete("/v1/kv/x?cas=\(index + 100)")
        #expect(staleDelete == 409)
        #expect(await value("x", seenBy: 3, in: cluster) == "1", "a refused write changed the value")
        #expect(try await put("x", "4", via: 3, in: cluster, query: "?cas=\(index)").status == 200)
        #expect(await value("x", seenBy: 1, in: cluster) == "4")

        let (missing, _) = try await admin.request(.GET, "/v1/kv/nothing-here")
        #expect(missing == 404)
        let (deleted, _) = try await admin.delete("/v1/kv/x")
        #expect(deleted == 200)
        #expect(await value("x", seenBy: 1, in: cluster) == nil)
        let (wrongMethod, _) = try await admin.request(.POST, "/v1/kv/x")
        #expect(wrongMethod == 405)
    }

    @Test("with fewer agents than bootstrap_expect there is no leader, and a request says so instead of hanging")
    func noLeader() async throws {
        let cluster = try await LocalCluster(subnet: 63)
        #expect(try await cluster.startConverged(2))
        let admin = AdminClient(socketPath: cluster.socket(1))
        let (status, body) = try await admin.put("/v1/kv/k", body: Array("v".utf8))
        #expect(status == 503)
        let message = (try? JSONDecoder().decode(AdminAPI.ErrorBody.self, from: Data(body)))?.error.message ?? ""
        #expect(message.contains("no leader is available"), "\(message)")
        let (leaderStatus, _) = try await admin.request(.GET, "/v1/leader")
        #expect(leaderStatus == 503)
        // The third agent completes the group.
        try cluster.start(3)
        _ = try await cluster.agents[3]!.waitUntilServing()
        #expect(await cluster.agreedLeader([1, 2, 3]) != nil, "three agents never elected a leader")
    }

    @Test("a damaged bootstrap promise stops the agent with a message naming the file")
    func damagedPromise() async throws {
        let cluster = try await LocalCluster(subnet: 64)
        let state = cluster.dir.path + "/n1"
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        _ = FileManager.default.createFile(atPath: state + "/raft.promise", contents: Data("not a promise".utf8))
        let agent = try cluster.start(1)
        let status = try await agent.waitForExit(timeout: .seconds(30))
        #expect(status != 0)
        #expect(agent.log().contains("raft.promise is not a bootstrap promise"), "\(agent.log())")
    }

    @Test("a certified peer's bootstrap ask naming more founders than a group has is refused and stores nothing; a valid one is kept")
    func oversizedBootstrapAsk() async throws {
        let cluster = try await LocalCluster(subnet: 66)
        let agent = try cluster.start(1)
        let info = try await agent.waitUntilServing()
        let agentID = try #require(ReplicaID(bytes: try PublicKey(hex: info.id).bytes))
        let authority = try #require(try ClusterAuthority.loadSecret(directory: cluster.clusterDirectory))
        // A member of this cluster whose id sorts below the agent's, so it may coordinate.
        var key = SigningKey.generate()
        while !(ReplicaID(bytes: key.publicKey.bytes)! < agentID) { key = SigningKey.generate() }
        let me = ReplicaID(bytes: key.publicKey.bytes)!
        let certificate = try authority.issue(nodeKey: key.publicKey, name: "asker", expiresAt: UInt64.max / 2)
        let peer = Transport(
            identity: TransportIdentity(
                key: key, certificate: certificate, authority: authority.publicKey, clusterID: ClusterID(authority: authority.publicKey)),
            clock: ContinuousClock(), wallClock: { UInt64(Date().timeIntervalSince1970) },
            metrics: TransportMetrics(factory: NOOPMetricsHandler.instance), logger: Logger(label: "asker"))
        let (host, port) = (cluster.address(1).split(separator: ":").map(String.init)[0], 7946)
        func ask(_ voters: [ReplicaID]) async throws -> Shoal_Wire_V1_LeaderResponse {
            var request = Shoal_Wire_V1_LeaderRequest()
            request.bootstrap = .with {
                $0.voters = voters.map { Data($0.bytes) }
                $0.promise = true
            }
            return try await peer.withConnection(to: host, port: port, protocol: .leader, expecting: try PublicKey(hex: info.id)) { connection in
                try await connection.send(request)
                return try await connection.receive(Shoal_Wire_V1_LeaderResponse.self).message
            }
        }
        let promiseFile = cluster.dir.path + "/n1/raft.promise"
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await peer.run() }
            defer { peer.shutdown() }
            // 300 ids, ascending, led by the asker and naming the agent: well formed but for its size.
            var many = [me, agentID]
            while many.count < 300 {
                let id = ReplicaID(bytes: SigningKey.generate().publicKey.bytes)!
                if me < id { many.append(id) }
            }
            many = [me] + many.dropFirst().sorted()
            let refused = try await ask(many)
            guard case .error(let error)? = refused.result else {
                Issue.record("an oversized ask was answered \(refused)")
                return
            }
            #expect(error.code == .invalid)
            #expect(!FileManager.default.fileExists(atPath: promiseFile), "an oversized ask left a promise")
            _ = try await agent.waitUntilServing(timeout: .seconds(5))

            let kept = try await ask([me, agentID])
            guard case .answer(let answer)? = kept.result else {
                Issue.record("a valid ask was answered \(kept)")
                return
            }
            #expect(answer.state == .promised)
            #expect(FileManager.default.fileExists(atPath: promiseFile), "the promise was not stored")
        }
    }
}

extension LocalCluster {
    /// The leader agent `i` names, nil while it knows none.
    func leader(seenBy i: Int) async -> AdminAPI.Leader? {
        try? await AdminClient(socketPath: socket(i)).get("/v1/leader", as: AdminAPI.Leader.self)
    }

    /// The leader every agent in `agents` names, once they all name the same one in the same term.
    func agreedLeader(_ agents: [Int]) async -> AdminAPI.Leader? {
        var agreed: AdminAPI.Leader?
        _ = await eventually(timeout: .seconds(30)) {
            var seen: [AdminAPI.Leader] = []
            for i in agents {
                guard let leader = await leader(seenBy: i) else { return false }
                seen.append(leader)
            }
            guard Set(seen.map(\.id)).count == 1, Set(seen.map(\.term)).count == 1 else { return false }
            agreed = seen[0]
            return true
        }
        return agreed
    }
}
