import Foundation
import Logging
import MetricsTestKit
import ShoalCrypto
import ShoalWire
import Testing

@testable import ShoalTransport

/// Deadlines of the transport, driven by a clock the test advances: no test here waits for one.
@Suite("transport deadlines")
struct TimeoutTests {
    let authority = ClusterAuthority(signingKey: .generate())

    func transport(clock: ManualClock, metrics: TestMetrics) throws -> Transport {
        Transport(
            identity: try TestNode(name: "server", authority: authority).identity, clock: clock, wallClock: { now },
            dialer: MemoryNetwork().dialer(from: "10.0.0.9:1"), metrics: TransportMetrics(factory: metrics),
            logger: Logger(label: "test"))
    }

    @Test("a connection that never finishes its handshake is dropped at the handshake deadline")
    func stalledHandshake() async throws {
        let clock = ManualClock(), metrics = TestMetrics()
        let server = try transport(clock: clock, metrics: metrics)
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await server.run() }
            defer { server.shutdown() }
            let (local, remote) = MemoryLink.pair()
            server.accept(remote)
            // Nothing is sent. The sweep and the handshake deadline are both asleep on the clock.
            try await waitFor("the handshake deadline to be armed") { clock.sleeperCount >= 2 }
            clock.advance(by: server.configuration.handshakeTimeout)
            // Bounded: on the manual clock nothing else would ever close it.
            #expect(await endsWithin(10, local), "the stalled handshake was not dropped at its deadline")
            try await waitFor("the timeout to be counted") {
                metrics.counterTotal(label: "shoal_transport_refused_total", dimensions: [("reason", "timed_out")]) == 1
            }
        }
    }

    @Test("an established connection with no frames for the idle timeout is closed")
    func idleConnection() async throws {
        let clock = ManualClock(), metrics = TestMetrics()
        let server = try transport(clock: clock, metrics: metrics)
        server.register(.membership) { connection in _ = try? await connection.receive(Shoal_Wire_V1_StreamPing.self) }
        let client = try TestNode(name: "client", authority: authority)
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await server.run() }
            defer { server.shutdown() }
            let (local, remote) = MemoryLink.pair()
            server.accept(remote)
            let (handshake, _) = handshakes(client.identity, client.identity)
            let connection = try await PeerConnection.establish(over: local, handshake: handshake, maximumFrame: 1 << 20)
            // The server's side has finished the handshake too before the clock moves (else its
            // handshake deadline, not the idle sweep, would close the connection).
            try await waitFor("the server to finish the handshake") { server.state.withLock { $0.live.count } == 1 }
            // Just short of the timeout the connection is still open; a whole timeout later it is not.
            for _ in 0..<Int(server.configuration.idleTimeout / .seconds(1)) - 1 {
                try await waitFor("the sweep to sleep") { clock.sleeperCount >= 1 }
                clock.advance(by: .seconds(1))
            }
            #expect(metrics.counterTotal(label: "shoal_transport_idle_closed_total") == 0)
            for _ in 0..<Int(server.configuration.idleTimeout / .seconds(1)) + 2 {
                try await waitFor("the sweep to sleep") { clock.sleeperCount >= 1 }
                clock.advance(by: .seconds(1))
            }
            // Bounded: on the manual clock nothing but the idle sweep would ever close it.
            let outcome = await withTaskGroup(of: Result<Void, any Error>?.self) { race in
                race.addTask {
                    do {
                        _ = try await connection.receive(Shoal_Wire_V1_StreamPing.self)
                        return .success(())
                    } catch { return .failure(error) }
                }
                race.addTask {
                    try? await Task.sleep(for: .seconds(10))
                    return nil
                }
                let first = await race.next() ?? nil
                race.cancelAll()
                return first
            }
            switch outcome {
            case nil: Issue.record("the idle connection was still open 10 s after the sweep passed its timeout")
            case .success: Issue.record("the idle connection delivered a frame nobody sent")
            case .failure(let error): #expect(error is TransportError, "closed with \(error)")
            }
            #expect(metrics.counterTotal(label: "shoal_transport_idle_closed_total") == 1)
        }
    }
}
