import Foundation
import Testing

@testable import ShoalAgent

@Suite("a real agent process", .serialized)
struct AgentProcessTests {
    let dir = TemporaryDirectory()

    var socket: String { dir.path + "/admin.sock" }

    func devAgent(_ extra: [String] = [], environment: [String: String] = [:]) throws -> AgentProcess {
        try AgentProcess(
            arguments: ["agent", "--dev", "--name", "probe", "--admin-socket", socket, "--log-format", "text"] + extra,
            socket: socket, environment: environment)
    }

    @Test("a dev agent answers info and metrics on its socket and stops on SIGTERM within 5 seconds")
    func infoMetricsAndStop() async throws {
        let agent = try devAgent(["--label", "zone=a"])
        let info = try await agent.waitUntilServing()
        #expect(info.name == "probe")
        #expect(info.version == ShoalVersion.current)
        #expect(info.labels == ["zone": "a"])
        #expect(info.id.count == 64 && info.id.hasPrefix(info.shortID))

        let (status, body) = try await AdminClient(socketPath: socket).request(.GET, "/v1/metrics")
        let text = String(decoding: body, as: UTF8.self)
        #expect(status == 200)
        #expect(text.contains("shoal_build_info{"))
        #expect(text.contains("shoal_uptime_seconds"))

        let stopped = try await agent.stop(signal: SIGTERM)
        #expect(stopped.status == 0)
        #expect(stopped.took < .seconds(5))
        #expect(POSIX.kind(of: socket) == .missing)
    }

    @Test("the admin socket is created with mode 0660")
    func socketMode() async throws {
        let agent = try devAgent()
        _ = try await agent.waitUntilServing()
        #expect(POSIX.mode(of: socket) == 0o660)
        _ = try await agent.stop()
    }

    @Test("an unknown path gets a 404 with a JSON error body")
    func unknownPath() async throws {
        let agent = try devAgent()
        _ = try await agent.waitUntilServing()
        let (status, body) = try await AdminClient(socketPath: socket).request(.GET, "/v1/nope")
        #expect(status == 404)
        let decoded = try JSONDecoder().decode(AdminAPI.ErrorBody.self, from: Data(body))
        #expect(decoded.error.message.contains("/v1/nope"))
        _ = try await agent.stop()
    }

    @Test("a second agent on a socket in use is refused with a clear error and the first keeps serving")
    func socketInUse() async throws {
        let first = try devAgent()
        _ = try await first.waitUntilServing()
        let second = try AgentProcess(
            arguments: ["agent", "--dev", "--name", "second", "--admin-socket", socket], socket: socket)
        let status = try await second.waitForExit()
        #expect(status != 0)
        #expect(second.log().contains("is in use"))
        let info = try await AdminClient(socketPath: socket).get("/v1/info", as: AdminAPI.Info.self)
        #expect(info.name == "probe")
        _ = try await first.stop()
    }

    @Test("a stale socket left by a killed agent is replaced")
    func staleSocket() async throws {
        let killed = try devAgent()
        _ = try await killed.waitUntilServing()
        _ = try await killed.stop(signal: SIGKILL)
        #expect(POSIX.kind(of: socket) == .socket)
        let next = try devAgent()
        let info = try await next.waitUntilServing()
        #expect(info.name == "probe")
        _ = try await next.stop()
    }

    @Test("systemd hears READY=1 once the socket serves, and STOPPING=1 at shutdown")
    func systemdNotify() async throws {
        let notify = try NotifyListener(path: dir.path + "/notify.sock")
        let agent = try devAgent(environment: ["NOTIFY_SOCKET": notify.path])
        _ = try await agent.waitUntilServing()
        #expect(try notify.receive(timeout: .seconds(10)) == "READY=1")
        _ = try await agent.stop()
        #expect(try notify.receive(timeout: .seconds(5)) == "STOPPING=1")
    }

    @Test("a bad configuration stops the agent before it creates anything")
    func badConfigurationChangesNothing() async throws {
        let state = dir.path + "/state"
        let config = dir.write("bad.yaml", "log_levl: debug\n")
        let result = try await AgentProcess.run([
            "agent", "--config", config, "--state-dir", state, "--admin-socket", socket,
        ])
        #expect(result.status == 2)
        #expect(result.err.contains("unknown configuration key 'log_levl'"))
        #expect(result.err.contains(config))
        #expect(POSIX.kind(of: state) == .missing)
        #expect(POSIX.kind(of: socket) == .missing)
    }

    @Test("a node key readable by others is refused with the chmod to run")
    func insecureKey() async throws {
        let state = dir.path + "/state"
        let cluster = dir.path + "/cluster"
        #expect(try await AgentProcess.run(["cluster", "init", "--dir", cluster]).status == 0)
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        #expect(try await AgentProcess.run(["keygen", "--out", state + "/node.key"]).status == 0)
        chmod(state + "/node.key", 0o644)
        let result = try await AgentProcess.run([
            "agent", "--name", "n1", "--state-dir", state, "--cluster-dir", cluster, "--admin-socket", socket,
            "--bind", "127.0.0.1:0",
        ])
        #expect(result.status != 0)
        #expect(result.err.contains("chmod 600"))
    }

    @Test("the CLI prints info as JSON and as text, and says how to fix a missing agent")
    func cliInfo() async throws {
        let agent = try devAgent()
        let info = try await agent.waitUntilServing()
        let json = try await AgentProcess.run(["info", "--socket", socket, "--format", "json"])
        #expect(json.status == 0)
        let decoded = try JSONDecoder().decode(AdminAPI.Info.self, from: Data(json.out.utf8))
        #expect(decoded.id == info.id)
        let text = try await AgentProcess.run(["info"], environment: ["SHOAL_SOCKET": socket])
        #expect(text.status == 0 && text.out.contains(info.shortID))
        _ = try await agent.stop()
        let missing = try await AgentProcess.run(["info", "--socket", socket])
        #expect(missing.status != 0)
        #expect(missing.err.contains("is `shoal agent` running?"))
    }
}

@Suite("certificates with real processes", .serialized)
struct CertificateProcessTests {
    let dir = TemporaryDirectory()

    @Test("an agent given only authority.pub and its certificate starts; one with another authority's certificate does not")
    func issuedCertificate() async throws {
        let authority = dir.path + "/authority"
        let node = dir.path + "/node"
        let socket = dir.path + "/a.sock"
        #expect(try await AgentProcess.run(["cluster", "init", "--dir", authority]).status == 0)
        try FileManager.default.createDirectory(atPath: node + "/state", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: node + "/cluster", withIntermediateDirectories: true)
        #expect(try await AgentProcess.run(["keygen", "--out", node + "/state/node.key"]).status == 0)
        let issued = try await AgentProcess.run([
            "cluster", "issue", "--dir", authority, "--node-key", node + "/state/node.key.pub", "--name", "web-1",
            "--out", node + "/cluster/web-1.cert",
        ])
        #expect(issued.status == 0, "\(issued.err)")
        try FileManager.default.copyItem(atPath: authority + "/authority.pub", toPath: node + "/cluster/authority.pub")

        let agent = try AgentProcess(
            arguments: [
                "agent", "--name", "web-1", "--state-dir", node + "/state", "--cluster-dir", node + "/cluster",
                "--admin-socket", socket, "--bind", "127.0.0.1:0",
            ], socket: socket)
        let info = try await agent.waitUntilServing()
        #expect(info.name == "web-1")
        _ = try await agent.stop()

        let other = dir.path + "/other"
        #expect(try await AgentProcess.run(["cluster", "init", "--dir", other]).status == 0)
        try FileManager.default.removeItem(atPath: node + "/cluster/authority.pub")
        try FileManager.default.copyItem(atPath: other + "/authority.pub", toPath: node + "/cluster/authority.pub")
        let refused = try await AgentProcess.run([
            "agent", "--name", "web-1", "--state-dir", node + "/state", "--cluster-dir", node + "/cluster",
            "--admin-socket", socket, "--bind", "127.0.0.1:0",
        ])
        #expect(refused.status != 0)
        #expect(refused.err.contains("web-1"))
    }
}
