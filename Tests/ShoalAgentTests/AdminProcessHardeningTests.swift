import Foundation
import Testing

@testable import ShoalAgent

/// Hostile and careless clients against a real agent (issue: "Peer transport … trust holes closed").
@Suite("a real agent against hostile clients", .serialized)
struct AdminProcessHardeningTests {
    let dir = TemporaryDirectory()
    var socket: String { dir.path + "/admin.sock" }

    func devAgent(_ extra: [String] = []) throws -> AgentProcess {
        try AgentProcess(
            arguments: ["agent", "--dev", "--name", "probe", "--admin-socket", socket, "--log-format", "text"] + extra,
            socket: socket)
    }

    /// Sends `request` on a fresh connection to the admin socket and returns the answer's head and body.
    func raw(_ request: String) async throws -> String {
        let connection = try RawConnection(unixSocket: socket)
        try connection.send(request)
        return try await connection.response()
    }

    @Test("the metrics port answers GET /v1/metrics, 404 to everything else, and a POST /v1/leave there changes nothing")
    func metricsPortServesMetricsOnly() async throws {
        let port = try freeLoopbackPort()
        let agent = try devAgent(["--metrics-address", "127.0.0.1:\(port)"])
        _ = try await agent.waitUntilServing()
        var connection: RawConnection?
        let deadline = ContinuousClock.now + .seconds(10)
        while connection == nil, ContinuousClock.now < deadline {
            connection = try? RawConnection(loopbackPort: port)
            if connection == nil { try await Task.sleep(for: .milliseconds(20)) }
        }
        let metrics = try #require(connection, "the metrics port did not accept within 10 s")

        try metrics.send("POST /v1/leave HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
        let leave = try await metrics.read(timeout: .seconds(10)) { $0.contains("}}") }.text
        #expect(leave.hasPrefix("HTTP/1.1 404"), "\(leave)")
        #expect(leave.contains("{\"error\":{\"message\":"), "\(leave)")
        try metrics.send("GET /v1/info HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try await metrics.read(timeout: .seconds(10)) { $0.contains("}}") }.text.hasPrefix("HTTP/1.1 404"))
        try metrics.send("GET /v1/metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        let scrape = try await metrics.read(timeout: .seconds(10)) { $0.contains("shoal_build_info") }.text
        #expect(scrape.hasPrefix("HTTP/1.1 200"), "\(scrape.prefix(200))")

        let info = try await AdminClient(socketPath: socket).get("/v1/info", as: AdminAPI.Info.self)
        #expect(info.name == "probe", "the agent stopped serving after a POST /v1/leave on the metrics port")
        _ = try await agent.stop()
    }

    @Test("a request body announced over 1 MiB is refused with 413 before it is read")
    func announcedBodyTooLarge() async throws {
        let agent = try devAgent()
        _ = try await agent.waitUntilServing()
        let answer = try await raw(
            "POST /v1/join HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1073741824\r\n\r\n")
        #expect(answer.hasPrefix("HTTP/1.1 413"), "\(answer)")
        _ = try await agent.stop()
    }

    @Test("a chunked request body that grows over 1 MiB is refused with 413")
    func chunkedBodyTooLarge() async throws {
        let agent = try devAgent()
        _ = try await agent.waitUntilServing()
        let connection = try RawConnection(unixSocket: socket)
        let size = (1 << 20) + 1_024
        try connection.send("POST /v1/join HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        // The agent may hang up before it has read everything: a failed send is expected then.
        try? connection.send(String(size, radix: 16) + "\r\n" + String(repeating: " ", count: size) + "\r\n0\r\n\r\n")
        let answer = try await connection.response()
        #expect(answer.hasPrefix("HTTP/1.1 413"), "\(answer)")
        _ = try await agent.stop()
    }

    @Test(
        "an unknown method on a known path gets 405 with an Allow header",
        arguments: [("DELETE", "/v1/members", "GET"), ("PUT", "/v1/join", "POST"), ("PATCH", "/v1/info", "GET")])
    func methodNotAllowed(method: String, path: String, allowed: String) async throws {
        let agent = try devAgent()
        _ = try await agent.waitUntilServing()
        let answer = try await raw("\(method) \(path) HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
        #expect(answer.hasPrefix("HTTP/1.1 405"), "\(answer)")
        #expect(answer.lowercased().contains("\r\nallow: \(allowed.lowercased())\r\n"), "\(answer)")
        _ = try await agent.stop()
    }

    @Test("a join naming more than 16 distinct addresses is refused with 400 that states the limit")
    func joinCap() async throws {
        let agent = try devAgent()
        _ = try await agent.waitUntilServing()
        let addresses = (1...17).map { "127.0.0.1:\($0)" }
        let body = try JSONEncoder().encode(AdminAPI.JoinRequest(addresses: addresses))
        let (status, answer) = try await AdminClient(socketPath: socket).request(.POST, "/v1/join", body: Array(body))
        #expect(status == 400)
        #expect(String(decoding: answer, as: UTF8.self).contains("at most 16"), "\(String(decoding: answer, as: UTF8.self))")
        _ = try await agent.stop()
    }

    @Test("a join dials each address once, however often it is repeated")
    func joinDeduplicates() async throws {
        let agent = try devAgent()
        _ = try await agent.waitUntilServing()
        let closed = "127.0.0.1:\(try freeLoopbackPort())"
        let body = try JSONEncoder().encode(AdminAPI.JoinRequest(addresses: Array(repeating: closed, count: 20)))
        let (status, answer) = try await AdminClient(socketPath: socket).request(.POST, "/v1/join", body: Array(body))
        let message = try JSONDecoder().decode(AdminAPI.ErrorBody.self, from: Data(answer)).error.message
        #expect(status == 502)
        #expect(message.components(separatedBy: closed).count == 2, "\(message)")
        _ = try await agent.stop()
    }

    @Test("once the client of a join hangs up, the agent holds no seed: it no longer waits out each one's stream timeout")
    func joinStopsWhenClientLeaves() async throws {
        let agent = try devAgent()
        _ = try await agent.waitUntilServing()
        let seeds = try SilentListeners(count: 12)
        let body = String(
            decoding: try JSONEncoder().encode(AdminAPI.JoinRequest(addresses: seeds.ports.map { "127.0.0.1:\($0)" })),
            as: UTF8.self)
        var client: RawConnection? = try RawConnection(unixSocket: socket)
        try client?.send(
            "POST /v1/join HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
        let dialled = ContinuousClock.now + .seconds(10)
        while seeds.acceptPending() == 0, ContinuousClock.now < dialled { try await Task.sleep(for: .milliseconds(10)) }
        #expect(seeds.acceptPending() == 1, "the agent did not dial the first seed within 10 s")

        client = nil
        // Each silent seed holds an old agent for its 5 s stream timeout; 3 s is well inside that.
        let hungUp = ContinuousClock.now + .seconds(3)
        while seeds.openConnections() > 0, ContinuousClock.now < hungUp { try await Task.sleep(for: .milliseconds(10)) }
        #expect(seeds.openConnections() == 0, "the agent still held a seed 3 s after the join's client hung up")
        _ = try await agent.stop()
    }

    @Test(
        "SIGTERM stops an agent with a monitor stream open, within 10 s and with status 0",
        arguments: [false, true])
    func stopWithMonitorOpen(clientGone: Bool) async throws {
        let agent = try devAgent()
        _ = try await agent.waitUntilServing()
        var monitor: RawConnection? = try RawConnection(unixSocket: socket)
        try monitor?.send("GET /v1/monitor HTTP/1.1\r\nHost: x\r\n\r\n")
        let head = try await monitor?.response() ?? ""
        #expect(head.hasPrefix("HTTP/1.1 200"), "\(head)")
        if clientGone { monitor = nil }
        let stopped = try await agent.stop(signal: SIGTERM, timeout: .seconds(10))
        #expect(stopped.status == 0)
        if let monitor {
            #expect(try await monitor.read(timeout: .seconds(5)).closed, "the monitor stream was not ended")
        }
    }
}

/// Configuration and key-file mistakes a real `shoal agent` meets at start-up.
@Suite("a real agent refusing what it is given", .serialized)
struct AgentStartupRefusalTests {
    let dir = TemporaryDirectory()
    var socket: String { dir.path + "/admin.sock" }

    @Test("more than 64 labels exit with status 2 and a message that states the limit")
    func tooManyLabels() async throws {
        let labels = (0...64).flatMap { ["--label", "key\($0)=v"] }
        let result = try await AgentProcess.run(["agent", "--dev", "--admin-socket", socket] + labels)
        #expect(result.status == 2, "\(result.err)")
        #expect(result.err.contains("at most 64 labels"), "\(result.err)")
    }

    @Test("a huge bad value is echoed as its first 64 characters and its size")
    func hugeValueTruncated() async throws {
        let config = dir.write("huge.yaml", "log_level: \"" + String(repeating: "y", count: 1 << 20) + "\"\n")
        let result = try await AgentProcess.run(["agent", "--config", config, "--admin-socket", socket])
        #expect(result.status == 2)
        #expect(result.err.contains("… (1048576 bytes)"), "\(result.err.prefix(300))")
        #expect(result.err.utf8.count < 1_000, "\(result.err.utf8.count) bytes on stderr")
    }

    @Test("a metrics host that does not resolve exits with status 2 before anything is bound")
    func unresolvableMetricsHost() async throws {
        let result = try await AgentProcess.run([
            "agent", "--dev", "--admin-socket", socket, "--metrics-address", "no-such-host.invalid:9464",
        ])
        #expect(result.status == 2, "\(result.err)")
        #expect(result.err.contains("does not resolve"), "\(result.err)")
        #expect(POSIX.kind(of: socket) == .missing)
    }

    @Test("a FIFO as node.key is refused at once with a message that says what it is")
    func fifoNodeKey() async throws {
        let state = dir.path + "/state"
        let cluster = dir.path + "/cluster"
        #expect(try await AgentProcess.run(["cluster", "init", "--dir", cluster]).status == 0)
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        #expect(mkfifo(state + "/node.key", 0o600) == 0)
        let agent = try AgentProcess(
            arguments: [
                "agent", "--name", "n1", "--state-dir", state, "--cluster-dir", cluster, "--admin-socket", socket,
                "--bind", "127.0.0.1:0",
            ], socket: socket)
        let status: Int32
        do {
            status = try await agent.waitForExit(timeout: .seconds(10))
        } catch {
            // Unblock an agent stuck opening the FIFO, so it can be reaped.
            close(open(state + "/node.key", O_WRONLY | O_NONBLOCK))
            throw error
        }
        #expect(status != 0)
        #expect(agent.log().contains("FIFO"), "\(agent.log())")
    }
}
