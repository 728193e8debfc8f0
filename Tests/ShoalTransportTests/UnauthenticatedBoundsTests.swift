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

    @Test("a handshake frame is refused once its declared length passes one handshake message, before it is buffered")
    func handshakeFrameBound() throws {
        var assembler = FrameAssembler()
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt32(TransportHandshake.maximumMessageBytes + 1))
        assembler.feed(buffer)
        #expect(throws: TransportError.self) { _ = try assembler.next(limit: TransportHandshake.maximumMessageBytes) }
        #expect(TransportHandshake.maximumMessageBytes < 4 << 10)
    }

    @Test("before authentication a TCP connection reads 4 KiB at a time")
    func smallReadsBeforeAuthentication() {
        let allocator = TCPListener.unauthenticatedReads
        #expect(allocator.capacity == 4_096)
    }
}
