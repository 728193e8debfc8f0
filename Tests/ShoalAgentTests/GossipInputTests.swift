import Foundation
import NIOCore
import ShoalCrypto
import ShoalMembership
import ShoalWire
import Testing

@testable import ShoalAgent

/// Sends one UDP datagram to `address` from a throwaway socket.
func sendDatagram(_ bytes: [UInt8], to host: String, port: UInt16) {
    let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    inet_pton(AF_INET, host, &address.sin_addr)
    _ = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            sendto(fd, bytes, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }
}

@Suite("hostile gossip input against real agents", .serialized)
struct GossipInputTests {
    @Test("bad datagrams are dropped, counted by reason, and change no one's membership")
    func badDatagramsDropped() async throws {
        let cluster = try await LocalCluster(subnet: 41)
        #expect(try await cluster.startConverged(2))
        let before = try await cluster.members(seenBy: 1).map { "\($0.name) \($0.status) \($0.incarnation)" }.sorted()
        let droppedBefore = await cluster.metric("shoal_gossip_dropped_total", of: 1)
        let authority = try ClusterAuthority.loadPublic(directory: cluster.clusterDirectory)
        let cluster1 = ClusterID(authority: authority)
        let stranger = SigningKey.generate()
        let n1Key = try #require(try await nodeKey(of: "n1", in: cluster, seenBy: 1), "n1 lists itself")
        let n1ID = NodeID(bytes: n1Key.bytes)
        let valid = try Envelope.seal(payload: [1, 2, 3], clusterID: cluster1, counter: 1, key: stranger, receiver: n1Key)
        let unbound = try Envelope.seal(payload: [1, 2, 3], clusterID: cluster1, counter: 3, key: stranger)
        // A well-formed ping from a node whose certificate the agent has never seen.
        let ping = PayloadCodec.encode(WireMapping.encode(Datagram(messages: [
            .ping(seq: 1, target: n1ID, from: NodeID(bytes: stranger.publicKey.bytes)),
        ])))
        let strangerPing = try Envelope.seal(payload: ping, clusterID: cluster1, counter: 2, key: stranger, receiver: n1Key)
        var tampered = valid
        tampered[Envelope.headerSize] ^= 1
        let foreign = try Envelope.seal(
            payload: [1], clusterID: ClusterID(authority: SigningKey.generate().publicKey), counter: 1, key: stranger,
            receiver: n1Key)
        let cases: [(String, [UInt8])] = [
            ("bad_magic", Array("GET / HTTP/1.1\r\n".utf8)),
            ("truncated", Array(valid.prefix(30))),
            ("oversized", [UInt8](repeating: 0x53, count: 1_401)),
            ("wrong_cluster", foreign),
            ("bad_signature", tampered),
            ("unbound", unbound),
            ("uncertified_sender", strangerPing),
        ]
        for (_, bytes) in cases { sendDatagram(bytes, to: "127.0.41.1", port: 7946) }
        let counted = await cluster.eventually(timeout: .seconds(10)) {
            let text = await cluster.metric("shoal_gossip_dropped_total", of: 1)
            // Each reason's count grew (a series registered at 0 would not do).
            return cases.allSatisfy { droppedCount($0.0, in: text) > droppedCount($0.0, in: droppedBefore) }
        }
        let dropped = await cluster.metric("shoal_gossip_dropped_total", of: 1)
        #expect(counted, "\(dropped)")
        let after = try await cluster.members(seenBy: 1).map { "\($0.name) \($0.status) \($0.incarnation)" }.sorted()
        #expect(after == before)
        #expect(cluster.agents[1]!.process.isRunning)
    }

    @Test("a node certified by another authority, speaking with this cluster's id, is refused by the certificate gate")
    func foreignCertificateRefusedByGate() async throws {
        let cluster = try await LocalCluster(subnet: 42)
        #expect(try await cluster.startConverged(1))
        let real = try #require(try ClusterAuthority.loadSecret(directory: cluster.clusterDirectory), "the test cluster has its secret key")
        let victim = try #require(try await nodeKey(of: "n1", in: cluster, seenBy: 1), "n1 lists itself")
        // Same cluster id as the victim, so only the gate can tell the intruder's certificate apart.
        let intruder = try CraftedPeer(name: "intruder", certifiedBy: ClusterAuthority(signingKey: .generate()))
        let witness = try CraftedPeer(name: "witness", certifiedBy: real)
        let socket = PeerSocket(host: "127.0.42.9")
        let before = await cluster.metric("shoal_gossip_dropped_total", of: 1)
        let victimID = NodeID(bytes: victim.bytes)

        socket.send(
            try intruder.seal([.gossip(intruder.alive(at: socket)), .ping(seq: 1, target: victimID, from: intruder.id)],
                cluster: real.clusterID, receiver: victim), to: "127.0.42.1", port: 7946)
        // The agent reads its socket in order: once the witness's ping (sent second) is answered,
        // an answer to the intruder's would already have arrived.
        socket.send(
            try witness.seal([.gossip(witness.alive(at: socket)), .ping(seq: 2, target: victimID, from: witness.id)],
                cluster: real.clusterID, receiver: victim), to: "127.0.42.1", port: 7946)
        let heard = socket.receive(for: [intruder, witness], cluster: real, timeout: .seconds(10)) { messages in
            messages.contains { $0.to == witness.id && $0.1 == .ack(seq: 2, from: victimID) }
        }
        #expect(heard.stopped, "the witness's ping was not answered within 10 s")
        #expect(!heard.messages.contains { $0.to == intruder.id }, "the intruder was answered: \(heard.messages.map(\.1))")

        let counted = await cluster.eventually(timeout: .seconds(10)) {
            let after = await cluster.metric("shoal_gossip_dropped_total", of: 1)
            return droppedCount("uncertified_sender", in: after) > droppedCount("uncertified_sender", in: before)
                && droppedCount("uncertified_statement", in: after) > droppedCount("uncertified_statement", in: before)
        }
        let dropped = await cluster.metric("shoal_gossip_dropped_total", of: 1)
        #expect(counted, "\(dropped)")
        let members = try await cluster.members(seenBy: 1).map(\.name)
        #expect(members.contains("witness") && !members.contains("intruder"), "\(members)")
    }

    @Test("a node whose certificate expires while it runs is refused from then on")
    func expiredCertificateRefused() async throws {
        let cluster = try await LocalCluster(subnet: 43)
        #expect(try await cluster.startConverged(1))
        let real = try #require(try ClusterAuthority.loadSecret(directory: cluster.clusterDirectory), "the test cluster has its secret key")
        let victim = try #require(try await nodeKey(of: "n1", in: cluster, seenBy: 1), "n1 lists itself")
        let victimID = NodeID(bytes: victim.bytes)
        let expiresAt = UInt64(Date().timeIntervalSince1970) + 3
        let brief = try CraftedPeer(name: "brief", certifiedBy: real, expiresAt: expiresAt)
        let witness = try CraftedPeer(name: "witness", certifiedBy: real)
        let socket = PeerSocket(host: "127.0.43.9")
        func ping(from peer: CraftedPeer, seq: UInt64) throws {
            socket.send(
                try peer.seal([.gossip(peer.alive(at: socket)), .ping(seq: seq, target: victimID, from: peer.id)],
                    cluster: real.clusterID, receiver: victim), to: "127.0.43.1", port: 7946)
        }

        try ping(from: brief, seq: 1)
        let admitted = socket.receive(for: [brief], cluster: real, timeout: .seconds(10)) { messages in
            messages.contains { $0.1 == .ack(seq: 1, from: victimID) }
        }
        #expect(admitted.stopped, "the agent did not answer a ping while the certificate was valid")

        let expired = await cluster.eventually(timeout: .seconds(10)) { UInt64(Date().timeIntervalSince1970) > expiresAt }
        #expect(expired, "the clock did not pass the certificate's expiry")
        let before = await cluster.metric("shoal_gossip_dropped_total", of: 1)
        try ping(from: brief, seq: 2)
        // Sent second on the same socket: once it is answered, an answer to `brief` would be here.
        try ping(from: witness, seq: 3)
        let heard = socket.receive(for: [brief, witness], cluster: real, timeout: .seconds(10)) { messages in
            messages.contains { $0.to == witness.id && $0.1 == .ack(seq: 3, from: victimID) }
        }
        #expect(heard.stopped, "the witness's ping was not answered within 10 s")
        #expect(!heard.messages.contains { $0.1 == .ack(seq: 2, from: victimID) }, "the expired node was answered")
        let counted = await cluster.eventually(timeout: .seconds(10)) {
            let after = await cluster.metric("shoal_gossip_dropped_total", of: 1)
            return droppedCount("uncertified_sender", in: after) > droppedCount("uncertified_sender", in: before)
        }
        let dropped = await cluster.metric("shoal_gossip_dropped_total", of: 1)
        #expect(counted, "\(dropped)")
    }

    @Test("gossip the agent already has is dropped before the signature check; news with a bad signature is refused")
    func redundantGossipSkipsSignatureCheck() async throws {
        let cluster = try await LocalCluster(subnet: 45)
        #expect(try await cluster.startConverged(1))
        let real = try #require(try ClusterAuthority.loadSecret(directory: cluster.clusterDirectory), "the test cluster has its secret key")
        let victim = try #require(try await nodeKey(of: "n1", in: cluster, seenBy: 1), "n1 lists itself")
        let peer = try CraftedPeer(name: "peer", certifiedBy: real)
        let socket = PeerSocket(host: "127.0.45.9")
        let alive = peer.alive(at: socket)
        func forged(_ messages: [MembershipMessage]) throws -> [UInt8] {
            var bytes = try peer.seal(messages, cluster: real.clusterID, receiver: victim)
            bytes[bytes.count - 1] ^= 1
            return bytes
        }
        func counts() async -> (badSignature: Int, redundant: Int) {
            let text = await cluster.metric("shoal_gossip_", of: 1)
            let redundant = text.split(separator: "\n").first { $0.hasPrefix("shoal_gossip_redundant_total") }
            return (droppedCount("bad_signature", in: text), redundant.flatMap { $0.split(separator: " ").last }.flatMap { Int(Double($0) ?? 0) } ?? 0)
        }

        // News (a member the agent has never heard of) under a bad signature: refused.
        socket.send(try forged([.gossip(alive)]), to: "127.0.45.1", port: 7946)
        let refused = await cluster.eventually(timeout: .seconds(10)) { await counts().badSignature == 1 }
        let afterForgery = await counts()
        #expect(refused, "the forged news was not counted as a bad signature: \(afterForgery)")
        #expect(!(try await cluster.members(seenBy: 1).map(\.name).contains("peer")), "a forged datagram introduced a member")

        // The same statement, well signed: taken.
        socket.send(try peer.seal([.gossip(alive)], cluster: real.clusterID, receiver: victim), to: "127.0.45.1", port: 7946)
        let joined = await cluster.eventually(timeout: .seconds(10)) {
            (try? await cluster.members(seenBy: 1).contains { $0.name == "peer" }) ?? false
        }
        #expect(joined, "the signed statement did not introduce the peer")

        // Now it is old news: a bad signature does not matter, as nothing of it is used.
        let before = await counts()
        socket.send(try forged([.gossip(alive)]), to: "127.0.45.1", port: 7946)
        let skipped = await cluster.eventually(timeout: .seconds(10)) { await counts().redundant > before.redundant }
        let after = await counts()
        #expect(skipped, "old news was not dropped as redundant: \(after)")
        #expect(after.badSignature == before.badSignature, "old news went through the signature check: \(after)")
        // A ping is never redundant: under a bad signature it is refused and not answered.
        socket.send(try forged([.gossip(alive), .ping(seq: 7, target: NodeID(bytes: victim.bytes), from: peer.id)]),
                    to: "127.0.45.1", port: 7946)
        let pingRefused = await cluster.eventually(timeout: .seconds(10)) { await counts().badSignature == before.badSignature + 1 }
        let afterPing = await counts()
        #expect(pingRefused, "a forged ping carrying old news was not refused: \(afterPing)")
    }

    @Test("while an agent runs, no other socket can bind its gossip UDP address, even with SO_REUSEADDR and SO_REUSEPORT")
    func gossipPortNotShared() async throws {
        let cluster = try await LocalCluster(subnet: 44)
        #expect(try await cluster.startConverged(1))
        let result = bindUDPAsAttacker(host: "127.0.44.1", port: 7946)
        #expect(result == EADDRINUSE, "bind returned errno \(result) (0: the attacker got the agent's port)")
    }

    @Test("the gossip socket binds its address again after it was closed")
    func gossipSocketRebinds() async throws {
        let (_, continuation) = AsyncStream.makeStream(of: AddressedEnvelope<ByteBuffer>.self)
        let first = try await GossipSockets.bindUDP(HostPort(host: "127.0.44.2", port: 0), continuation: continuation)
        let port = try #require(first.localAddress?.port, "the socket has a port")
        try await first.close()
        let second = try await GossipSockets.bindUDP(HostPort(host: "127.0.44.2", port: port), continuation: continuation)
        #expect(second.localAddress?.port == port)
        try await second.close()
    }

    // A send the kernel refuses (here EACCES: broadcast without SO_BROADCAST; a firewall's OUTPUT
    // drop gives EPERM the same way) used to close NIO's channel, and with it the agent's sends to
    // every other member for a second: that hid a partition whose sends fail behind a node whose
    // own link seemed down.
    @Test("a refused send fails that datagram alone: the socket stays open and the next send arrives")
    func refusedSendKeepsSocket() async throws {
        let (received, continuation) = AsyncStream.makeStream(of: AddressedEnvelope<ByteBuffer>.self)
        let (_, ignored) = AsyncStream.makeStream(of: AddressedEnvelope<ByteBuffer>.self)
        let gossip = try await GossipSockets.bindUDP(HostPort(host: "127.0.44.3", port: 0), continuation: ignored)
        let peer = try await GossipSockets.bindUDP(HostPort(host: "127.0.44.4", port: 0), continuation: continuation)
        let broadcast = try SocketAddress(ipAddress: "255.255.255.255", port: 9)
        #expect(gossip.sender.send([1, 2, 3], to: broadcast) == .refused(errno: EACCES))
        let peerAddress = try #require(peer.localAddress)
        #expect(gossip.sender.send([4, 5, 6], to: peerAddress) == .sent)
        let first = await withTaskGroup(of: AddressedEnvelope<ByteBuffer>?.self) { group in
            group.addTask { await received.first { _ in true } }
            group.addTask {
                try? await Task.sleep(for: .seconds(30))
                return nil
            }
            defer { group.cancelAll() }
            return await group.next() ?? nil
        }
        let datagram = try #require(first, "the datagram sent after the refused one did not arrive within 30 s")
        #expect(Array(datagram.data.readableBytesView) == [4, 5, 6])
        #expect(datagram.remoteAddress.port == gossip.localAddress?.port, "it came from the gossip port")
        #expect(gossip.isActive)
        try await gossip.close()
        try await peer.close()
    }
}

/// Binds a UDP socket to `host:port` with SO_REUSEADDR and SO_REUSEPORT set, as a local user
/// stealing an agent's datagrams would; returns 0 when the bind succeeded, else its errno.
func bindUDPAsAttacker(host: String, port: UInt16) -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
    defer { close(fd) }
    var one: Int32 = 1
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, socklen_t(MemoryLayout<Int32>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    inet_pton(AF_INET, host, &address.sin_addr)
    let status = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    return status == 0 ? 0 : errno
}
