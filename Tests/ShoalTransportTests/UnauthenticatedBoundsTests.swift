import Foundation
import Logging
import MetricsTestKit
import NIOCore
import ShoalCrypto
import Testing

@testable import ShoalTransport

/// What a peer that has not authenticated can make the transport hold: a bounded number of
/// connections, each holding at most one handshake message.
@Suite("transport bounds before authentication")
struct UnauthenticatedBoundsTests {
    let authority = ClusterAuthority(signingKey: .generate())

    @Test("connections beyond the pending-handshake limit are refused at accept and counted; the held ones stay")
    func pendingHandshakeLimit() async throws {
        let clock = ManualClock(), metrics = TestMetrics()
        var configuration = TransportConfiguration()
        configuration.maximumPendingHandshakes = 4
        let server = Transport(
            identity: try TestNode(name: "server", authority: authority).identity, configuration: configuration, clock: clock,
            wallClock: { now }, dialer: MemoryNetwork().dialer(from: "10.0.0.9:1"), metrics: TransportMetrics(factory: metrics),
            logger: Logger(label: "test"))
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await server.run() }
            defer { server.shutdown() }
            var held: [MemoryLink] = []
            for _ in 0..<6 {
                let (local, remote) = MemoryLink.pair()
                server.accept(remote)
                held.append(local)
            }
            // The two over the limit were closed without a byte read; nothing was queued for them.
            #expect(metrics.counterTotal(label: "shoal_transport_refused_total", dimensions: [("reason", "handshake_limit")]) == 2)
            for link in held.suffix(2) {
                #expect(await endsWithin(60, link), "a refused link was not closed within 60 s")
            }
            // The clock has not moved: the four within the limit are still held, waiting for a handshake.
            #expect(server.state.withLock { $0.pendingHandshakes } == 4)
        }
    }

    @Test("connections beyond max_connections are refused at accept and closed, so file descriptors stay within it")
    func connectionLimit() async throws {
        let clock = ManualClock(), metrics = TestMetrics()
        var configuration = TransportConfiguration()
        configuration.maximumConnections = 3
        let server = Transport(
            identity: try TestNode(name: "server", authority: authority).identity, configuration: configuration, clock: clock,
            wallClock: { now }, dialer: MemoryNetwork().dialer(from: "10.0.0.9:1"), metrics: TransportMetrics(factory: metrics),
            logger: Logger(label: "test"))
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await server.run() }
            defer { server.shutdown() }
            var held: [MemoryLink] = []
            for _ in 0..<5 {
                let (local, remote) = MemoryLink.pair()
                server.accept(remote)
                held.append(local)
            }
            #expect(metrics.counterTotal(label: "shoal_transport_refused_total", dimensions: [("reason", "connection_limit")]) == 2)
            for link in held.suffix(2) {
                #expect(await endsWithin(60, link), "a refused link was not closed within 60 s")
            }
            #expect(server.state.withLock { $0.connectionCount } == 3)
        }
    }

    @Test("a handshake frame is refused once its declared length passes one handshake message, before it is buffered")
    func handshakeFrameBound() throws {
        var assembler = FrameAssembler()
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt32(TransportHandshake.maximumMessageBytes + 1))
        assembler.feed(buffer)
        #expect(throws: TransportError.self) { _ = try assembler.next(limit: TransportHandshake.maximumMessageBytes) }
        #expect(TransportHandshake.maximumMessageBytes < 4 << 10)
    }

    @Test("a TCP link reads 4 KiB at a time until the peer is authenticated, then up to 256 KiB")
    func readSizeGrowsOnlyAfterAuthentication() async throws {
        let listener = try await TCPListener.bind(host: "127.0.0.1", port: 0)
        let port = listener.channel.localAddress!.port!
        var sizes: [(minimum: Int, maximum: Int)] = []
        try await withThrowingTaskGroup { group in
            // The accepting side holds one connection until the dialler hangs up.
            group.addTask {
                try await listener.executeThenClose { inbound in
                    for try await child in inbound {
                        try await child.executeThenClose { bytes, _ in
                            for try await _ in bytes {}
                        }
                        return
                    }
                }
            }
            try await TCPDialer().dial(host: "127.0.0.1", port: port, timeout: .seconds(10)) { link in
                let channel = (link as! NIOLink).channel
                sizes.append(Self.readSizes(try? await channel.getOption(ChannelOptions.recvAllocator).get()))
                // Through the protocol, as the connection calls it.
                link.authenticated()
                sizes.append(Self.readSizes(try? await channel.getOption(ChannelOptions.recvAllocator).get()))
            }
            try await group.waitForAll()
        }
        #expect(sizes.count == 2)
        #expect(sizes.first.map { $0 == (4_096, 4_096) } == true, "before authentication: \(sizes)")
        #expect(sizes.last.map { $0.maximum == 256 << 10 } == true, "after authentication: \(sizes)")
    }

    static func readSizes(_ allocator: (any RecvByteBufferAllocator)?) -> (minimum: Int, maximum: Int) {
        switch allocator {
        case let fixed as FixedSizeRecvByteBufferAllocator: (fixed.capacity, fixed.capacity)
        case let adaptive as AdaptiveRecvByteBufferAllocator: (adaptive.minimum, adaptive.maximum)
        default: (0, 0)
        }
    }
}
