import Foundation
import Testing

@testable import ShoalAgent

/// The bounds every HTTP listener keeps, whatever its clients do (issue: "Peer transport … trust
/// holes closed": idle connections held for good stopped the admin API).
@Suite("admin listener limits", .serialized)
struct AdminListenerLimitTests {
    let dir = TemporaryDirectory()
    var socket: String { dir.path + "/admin.sock" }
    let metrics = AgentMetrics(version: "test", nodeName: "test")

    func limits(idle: Duration = .seconds(30), connections: Int = 64) -> HTTPLimits {
        HTTPLimits(idleTimeout: idle, requestTimeout: .seconds(30), maximumConnections: connections, maximumBodyBytes: 1 << 20)
    }

    @Test("a connection that never sends a request is closed once the idle timeout passes")
    func silentConnectionIsClosed() async throws {
        try await InProcessServer.serve(socket: socket, limits: limits(idle: .milliseconds(200)), metrics: metrics) {
            let silent = try RawConnection(unixSocket: socket)
            let (_, closed) = try await silent.read(timeout: .seconds(10))
            #expect(closed, "the agent kept a connection that sent nothing open for 10 s (idle timeout 200 ms)")
        }
    }

    @Test("a keep-alive connection left idle after its request is closed once the idle timeout passes")
    func idleKeepAliveIsClosed() async throws {
        try await InProcessServer.serve(socket: socket, limits: limits(idle: .milliseconds(200)), metrics: metrics) {
            let client = try RawConnection(unixSocket: socket)
            try client.send("GET /v1/ping HTTP/1.1\r\nHost: x\r\n\r\n")
            let answer = try await client.read(timeout: .seconds(10)) { $0.hasSuffix("pong") }
            #expect(answer.text.hasPrefix("HTTP/1.1 200"))
            #expect(!answer.closed, "the connection was closed with the response, so keep-alive was not tested")
            let (_, closed) = try await client.read(timeout: .seconds(10))
            #expect(closed, "the agent kept an idle keep-alive connection open for 10 s (idle timeout 200 ms)")
        }
    }

    @Test("connections over the cap are closed at once and counted; the API serves again once others close")
    func connectionCap() async throws {
        try await InProcessServer.serve(socket: socket, limits: limits(connections: 2), metrics: metrics) {
            var held = [try RawConnection(unixSocket: socket), try RawConnection(unixSocket: socket)]
            // Each held connection has been accepted once it has answered a request.
            for connection in held {
                try connection.send("GET /v1/ping HTTP/1.1\r\nHost: x\r\n\r\n")
                #expect(try await connection.response().hasPrefix("HTTP/1.1 200"))
            }
            let excess = try RawConnection(unixSocket: socket)
            let (_, closed) = try await excess.read(timeout: .seconds(10))
            #expect(closed, "a connection over the cap of 2 was left open for 10 s")
            let rendered = String(decoding: metrics.render(uptimeSeconds: 0), as: UTF8.self)
            #expect(rendered.contains("shoal_admin_connections_refused_total{listener=\"admin\"} 1"), "\(rendered)")

            held.removeAll()
            let client = AdminClient(socketPath: socket)
            let deadline = ContinuousClock.now + .seconds(10)
            var status = 0
            while status != 200, ContinuousClock.now < deadline {
                status = (try? await client.request(.GET, "/v1/ping"))?.status ?? 0
            }
            #expect(status == 200, "the API did not serve again within 10 s of the held connections closing")
        }
    }

    @Test("requests to many distinct unknown paths add no new label values to the request counter")
    func routeLabels() async throws {
        try await InProcessServer.serve(socket: socket, limits: limits(), metrics: metrics) { () async throws in
            let client = AdminClient(socketPath: socket)
            #expect(try await client.request(.GET, "/v1/ping").status == 200)
            for index in 0..<50 {
                #expect(try await client.request(.GET, "/v1/nope-\(index)").status == 404)
            }
            #expect(try await client.request(.GET, "/elsewhere/\(UUID())").status == 404)
        }
        let series = String(decoding: metrics.render(uptimeSeconds: 0), as: UTF8.self)
            .split(separator: "\n").filter { $0.hasPrefix("shoal_admin_requests_total{") }
        #expect(
            Set(series.map { $0.split(separator: " ")[0] }) == [
                "shoal_admin_requests_total{listener=\"admin\",route=\"/v1/ping\",status=\"200\"}",
                "shoal_admin_requests_total{listener=\"admin\",route=\"unmatched\",status=\"404\"}",
            ], "\(series)")
    }
}
