import Foundation
import MetricsTestKit
import NIOCore
import ShoalCrypto
import ShoalWire
import Testing

@testable import ShoalTransport

/// The transport over in-memory links: dispatch by protocol, pooling, and what it refuses.
@Suite("transport")
struct TransportTests {
    let authority = ClusterAuthority(signingKey: .generate())
    let network = MemoryNetwork()

    /// An echo handler: answers each ping with the same seq and the body reversed.
    static let echo: Transport.Handler = { connection in
        while let (ping, body) = try? await connection.receive(Shoal_Wire_V1_StreamPing.self) {
            try? await connection.send(ping, body: Data(body.reversed()))
        }
    }

    func ping(_ seq: UInt64) -> Shoal_Wire_V1_StreamPing {
        var message = Shoal_Wire_V1_StreamPing()
        message.seq = seq
        return message
    }

    /// Runs `body` with a client and a server transport, both running, then shuts them down.
    func withPair(
        serverMetrics: TestMetrics = TestMetrics(), clientNode: TestNode? = nil,
        serverConfiguration: TransportConfiguration = TransportConfiguration(), serving protocols: [ProtocolName] = [.membership],
        _ body: (_ client: Transport, _ server: Transport) async throws -> Void
    ) async throws {
        let server = memoryTransport(
            try TestNode(name: "server", authority: authority), network: network, address: "10.0.0.2:7946", metrics: serverMetrics,
            configuration: serverConfiguration)
        for name in protocols { server.register(name, handler: Self.echo) }
        let client = memoryTransport(try clientNode ?? TestNode(name: "client", authority: authority), network: network, address: "10.0.0.1:7946")
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await server.run() }
            group.addTask { await client.run() }
            defer {
                client.shutdown()
                server.shutdown()
            }
            try await body(client, server)
        }
    }

    @Test("a message and its bulk body arrive intact, and the peer is the node dialled")
    func roundTrip() async throws {
        try await withPair { client, _ in
            let body = Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
            let (reply, echoed) = try await client.withConnection(to: "10.0.0.2", port: 7946, protocol: .membership) { connection in
                #expect(connection.peer.name == "server")
                try await connection.send(ping(42), body: body)
                return try await connection.receive(Shoal_Wire_V1_StreamPing.self)
            }
            #expect(reply.seq == 42)
            #expect(echoed == Data(body.reversed()))
        }
    }

    @Test("sequential exchanges reuse one pooled connection")
    func pooled() async throws {
        let metrics = TestMetrics()
        try await withPair(serverMetrics: metrics) { client, _ in
            for seq in 0..<5 as Range<UInt64> {
                let reply = try await client.withConnection(to: "10.0.0.2", port: 7946, protocol: .membership) { connection in
                    try await connection.send(ping(seq))
                    return try await connection.receive(Shoal_Wire_V1_StreamPing.self).message
                }
                #expect(reply.seq == seq)
            }
            #expect(metrics.counterTotal(label: "shoal_transport_established_total") == 1)
        }
    }

    @Test("a peer at its connection limit on one protocol can still open a connection on another (its Raft link survives a flood of requests)")
    func perPeerLimitIsPerProtocol() async throws {
        var configuration = TransportConfiguration()
        configuration.maximumConnectionsPerPeer = 2
        let metrics = TestMetrics()
        try await withPair(serverMetrics: metrics, serverConfiguration: configuration, serving: [.leader, .raft]) { client, _ in
            func open(_ name: ProtocolName, seq: UInt64) async throws -> (PeerConnection, Bool) {
                let connection = try await client.connect(to: "10.0.0.2", port: 7946, protocol: name)
                try? await connection.send(ping(seq))  // a refused connection may be closed already
                let answered = (try? await connection.receive(Shoal_Wire_V1_StreamPing.self).message.seq) == seq
                return (connection, answered)
            }
            let (first, firstAnswered) = try await open(.leader, seq: 1)
            let (second, secondAnswered) = try await open(.leader, seq: 2)
            #expect(firstAnswered && secondAnswered)
            let (third, thirdAnswered) = try await open(.leader, seq: 3)
            #expect(!thirdAnswered, "a third leader/1 connection from the same peer is over its limit")
            #expect(metrics.counterTotal(label: "shoal_transport_refused_total", dimensions: [("reason", "peer_limit")]) == 1)
            let (raft, raftAnswered) = try await open(.raft, seq: 4)
            #expect(raftAnswered, "the peer's raft/1 connection is refused because of its leader/1 connections")
            // A protocol this node does not serve gets no budget at all: a peer's connections
            // stay bounded by the limit times the protocols served.
            let unserved = try? await open(.membership, seq: 5)
            #expect(unserved?.1 != true, "a connection for a protocol nobody serves was answered")
            unserved?.0.close()
            for connection in [first, second, third, raft] { connection.close() }
        }
    }

    @Test("a node certified by another authority, speaking this cluster's id, is refused and counted")
    func strangerRefused() async throws {
        let metrics = TestMetrics()
        let other = ClusterAuthority(signingKey: .generate())
        let stranger = try TestNode(name: "stranger", authority: other, cluster: ClusterID(authority: authority.publicKey))
        let server = memoryTransport(try TestNode(name: "server", authority: authority), network: network, address: "10.0.0.2:7946", metrics: metrics)
        let answered = Counter()
        server.register(.membership) { _ in answered.add() }
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await server.run() }
            defer { server.shutdown() }
            // The stranger trusts this cluster's authority, so it goes on to present its own certificate.
            let (local, remote) = MemoryLink.pair()
            server.accept(remote)
            let (handshake, _) = handshakes(stranger.trusting(authority.publicKey, cluster: ClusterID(authority: authority.publicKey)), stranger.identity)
            let connection = try await PeerConnection.establish(over: local, handshake: handshake, maximumFrame: 1 << 20)
            try? await connection.send(ping(1))
            await #expect(throws: TransportError.self) { _ = try await connection.receive(Shoal_Wire_V1_StreamPing.self) }
            try await waitFor("the refusal to be counted") {
                metrics.counterTotal(label: "shoal_transport_refused_total", dimensions: [("reason", "uncertified")]) == 1
            }
            #expect(answered.value == 0, "no handler ran for the stranger")
        }
    }

    @Test("a flipped bit in a frame closes the connection without delivering it")
    func tamperedFrame() async throws {
        let server = memoryTransport(try TestNode(name: "server", authority: authority), network: network, address: "10.0.0.2:7946")
        let delivered = Counter()
        server.register(.membership) { connection in
            while (try? await connection.receive(Shoal_Wire_V1_StreamPing.self)) != nil { delivered.add() }
        }
        let client = try TestNode(name: "client", authority: authority)
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await server.run() }
            defer { server.shutdown() }
            let (local, remote) = MemoryLink.pair()
            let tap = TamperingLink(inner: local, flipAfter: 1)
            server.accept(remote)
            let (handshake, _) = handshakes(client.identity, client.identity)
            let connection = try await PeerConnection.establish(over: tap, handshake: handshake, maximumFrame: 1 << 20)
            try await connection.send(ping(1))
            tap.armed()
            try await connection.send(ping(2))
            // Bounded short of the server's 60 s idle sweep, which would close it anyway.
            #expect(await endsWithin(5, local), "the server left the tampered connection open")
            #expect(delivered.value == 1)
        }
    }

    @Test("a frame declaring more than the limit closes the connection before it is buffered")
    func oversizedFrame() async throws {
        var assembler = FrameAssembler()
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt32(8 << 20))
        assembler.feed(buffer)
        #expect(throws: TransportError.self) { _ = try assembler.next(limit: TransportHandshake.maximumMessageBytes) }
    }
}

/// Polls `condition` until it holds, failing after `seconds`.
func waitFor(_ what: String, seconds: Double = 60, _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    Issue.record("timed out after \(seconds) s waiting for \(what)")
}

/// A thread-safe counter for handlers.
final class Counter: Sendable {
    private let count = Mutex(0)
    func add() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}

import Synchronization

/// Passes bytes through, flipping one bit of the next frame sent once armed.
final class TamperingLink: Link {
    let inner: MemoryLink
    private let state = Mutex(false)
    init(inner: MemoryLink, flipAfter: Int) { self.inner = inner }
    func armed() { state.withLock { $0 = true } }
    func receive() async throws -> ByteBuffer? { try await inner.receive() }
    func send(_ buffer: ByteBuffer) async throws {
        var buffer = buffer
        if state.withLock({ armed in defer { armed = false }; return armed }) {
            let index = buffer.readerIndex + buffer.readableBytes - 3
            let byte = buffer.getInteger(at: index, as: UInt8.self)!
            buffer.setInteger(byte ^ 0x04, at: index)
        }
        try await inner.send(buffer)
    }
    func close() { inner.close() }
    var remoteAddress: String? { inner.remoteAddress }
}

/// Whether `link` ends (its peer closed it, having sent nothing more) within `seconds`.
func endsWithin(_ seconds: Double, _ link: MemoryLink) async -> Bool {
    await withTaskGroup(of: Bool.self) { group in
        group.addTask { ((try? await link.receive()) ?? nil) == nil }
        group.addTask {
            try? await Task.sleep(for: .seconds(seconds))
            return false
        }
        let first = await group.next() ?? false
        group.cancelAll()
        return first
    }
}
