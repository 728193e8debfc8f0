import Foundation
import Hummingbird
import Testing

@testable import ShoalAgent

/// How the listener bounds meet long requests: a route that overruns is stopped, a monitor stream
/// is never idle, and a stream ends when its client hangs up or the server stops.
@Suite("admin listener limits on long requests", .serialized)
struct AdminStreamLimitTests {
    let dir = TemporaryDirectory()
    var socket: String { dir.path + "/admin.sock" }
    let metrics = AgentMetrics(version: "test", nodeName: "test")
    let limits = HTTPLimits(
        idleTimeout: .milliseconds(200), requestTimeout: .milliseconds(300), maximumConnections: 8,
        maximumBodyBytes: 1 << 20)

    /// `GET /v1/slow` never answers by itself; `GET /v1/monitor` streams `events` as the agent's monitor does.
    func routes(events: AsyncStream<AdminAPI.MemberEvent>) -> (router: Router<BasicRequestContext>, table: RouteTable) {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: ErrorBodyMiddleware())
        var table = RouteTable()
        router.route(.get, "/v1/slow", in: &table) { _, _ -> String in
            try await Task.sleep(for: .seconds(3_600))
            return "late"
        }
        router.route(.get, "/v1/monitor", in: &table) { request, _ -> Response in
            Response(status: .ok, body: ResponseBody { writer in try await AdminRouter.monitor(events, request: request, writer: &writer) })
        }
        return (router, table)
    }

    @Test("a route that takes longer than the request timeout is stopped with 503")
    func requestTimeout() async throws {
        let (events, _) = AsyncStream.makeStream(of: AdminAPI.MemberEvent.self)
        try await InProcessServer.serve(socket: socket, limits: limits, metrics: metrics, routes: routes(events: events)) {
            let client = try RawConnection(unixSocket: socket)
            try client.send("GET /v1/slow HTTP/1.1\r\nHost: x\r\n\r\n")
            let answer = try await client.response()
            #expect(answer.hasPrefix("HTTP/1.1 503"), "no 503 within 10 s of a 300 ms request timeout: \(answer)")
        }
    }

    @Test("an open monitor stream outlives many idle timeouts and still delivers events")
    func monitorIsNotIdle() async throws {
        let (events, feed) = AsyncStream.makeStream(of: AdminAPI.MemberEvent.self)
        try await InProcessServer.serve(socket: socket, limits: limits, metrics: metrics, routes: routes(events: events)) {
            let monitor = try RawConnection(unixSocket: socket)
            try monitor.send("GET /v1/monitor HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try await monitor.response().hasPrefix("HTTP/1.1 200"))
            let quiet = try await monitor.read(timeout: .seconds(1))
            #expect(!quiet.closed, "the monitor stream was closed while quiet for 1 s (idle timeout 200 ms)")
            feed.yield(AdminAPI.MemberEvent(event: "refuted", member: nil, incarnation: 7))
            let line = try await monitor.read(timeout: .seconds(10)) { $0.contains("refuted") }
            #expect(line.text.contains("\"event\":\"refuted\""), "\(line.text)")
        }
    }

    @Test("a monitor whose client hangs up ends its subscription without waiting for an event")
    func monitorEndsWhenClientLeaves() async throws {
        let (events, feed) = AsyncStream.makeStream(of: AdminAPI.MemberEvent.self)
        let (ended, endedSink) = AsyncStream.makeStream(of: Void.self)
        feed.onTermination = { _ in endedSink.yield() }
        try await InProcessServer.serve(socket: socket, limits: limits, metrics: metrics, routes: routes(events: events)) {
            var monitor: RawConnection? = try RawConnection(unixSocket: socket)
            try monitor?.send("GET /v1/monitor HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try await monitor?.response().hasPrefix("HTTP/1.1 200") == true)
            monitor = nil
            let result = try await firstOrTimeout(ended, within: .seconds(10))
            #expect(result, "the subscription outlived its client by 10 s")
        }
    }

    @Test("a graceful shutdown ends an open monitor stream with its last chunk")
    func shutdownEndsMonitor() async throws {
        let (events, _) = AsyncStream.makeStream(of: AdminAPI.MemberEvent.self)
        var held: RawConnection?
        try await InProcessServer.serve(socket: socket, limits: limits, metrics: metrics, routes: routes(events: events)) {
            held = try RawConnection(unixSocket: socket)
            try held?.send("GET /v1/monitor HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try await held?.response().hasPrefix("HTTP/1.1 200") == true)
        }
        let rest = try await held?.read(timeout: .seconds(10)) { $0.hasSuffix("0\r\n\r\n") }
        #expect(rest?.text.hasSuffix("0\r\n\r\n") == true, "the stream was not ended with its last chunk: \(rest?.text ?? "")")
    }

    /// Whether `stream` yields within `limit`.
    private func firstOrTimeout(_ stream: AsyncStream<Void>, within limit: Duration) async throws -> Bool {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                var iterator = stream.makeAsyncIterator()
                return await iterator.next() != nil
            }
            group.addTask {
                try await Task.sleep(for: limit)
                return false
            }
            defer { group.cancelAll() }
            return try await group.next() ?? false
        }
    }
}
