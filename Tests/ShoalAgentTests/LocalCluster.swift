import Foundation
import ShoalAgent

/// Several real agents on 127.0.N.x loopback addresses, one cluster authority, each
/// with its own state directory and admin socket; the first is everyone's seed.
final class LocalCluster: @unchecked Sendable {
    // @unchecked: `agents` is only mutated from the owning test's task.
    let dir = TemporaryDirectory()
    let subnet: Int
    var agents: [Int: AgentProcess] = [:]

    init(subnet: Int, authority: Bool = true) async throws {
        self.subnet = subnet
        if authority {
            let result = try await AgentProcess.run(["cluster", "init", "--dir", clusterDirectory])
            guard result.status == 0 else { throw AgentProcessError.exited(status: result.status, log: result.err) }
        }
    }

    var clusterDirectory: String { dir.path + "/cluster" }
    func address(_ i: Int) -> String { "127.0.\(subnet).\(i):7946" }
    func socket(_ i: Int) -> String { dir.path + "/n\(i).sock" }
    func name(_ i: Int) -> String { "n\(i)" }

    /// Starts agent `i`, joining `seed` (default: agent 1 unless it is agent 1; "" joins nobody),
    /// with `extra` arguments after the usual ones.
    @discardableResult
    func start(_ i: Int, seed: String? = nil, clusterDirectory: String? = nil, extra: [String] = [], environment: [String: String] = [:]) throws -> AgentProcess {
        var arguments = [
            "agent", "--name", name(i), "--bind", address(i), "--state-dir", dir.path + "/n\(i)",
            "--admin-socket", socket(i), "--cluster-dir", clusterDirectory ?? self.clusterDirectory,
            "--log-format", "text",
        ]
        if let join = seed ?? (i == 1 ? nil : address(1)), !join.isEmpty { arguments += ["--join", join] }
        arguments += extra
        let agent = try AgentProcess(arguments: arguments, socket: socket(i), environment: environment)
        agents[i] = agent
        return agent
    }

    /// Agent `i`'s view of the member list.
    func members(seenBy i: Int) async throws -> [AdminAPI.Member] {
        try await AdminClient(socketPath: socket(i)).get("/v1/members", as: [AdminAPI.Member].self)
    }

    /// The status agent `i` reports for member `name`, nil if unknown.
    func status(of name: String, seenBy i: Int) async -> String? {
        (try? await members(seenBy: i))?.first { $0.name == name }?.status
    }

    /// Polls `condition` every 100 ms until it holds or `timeout` passes.
    func eventually(timeout: Duration = .seconds(60), _ condition: () async -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return await condition()
    }

    /// Starts agents 1...count and waits until every one of them sees `count` alive members.
    func startConverged(_ count: Int, extra: (Int) -> [String] = { _ in [] }) async throws -> Bool {
        for i in 1...count {
            try start(i, extra: extra(i))
            _ = try await agents[i]!.waitUntilServing()
        }
        return await eventually {
            for i in 1...count {
                let alive = (try? await members(seenBy: i))?.filter { $0.status == "alive" }.count ?? 0
                if alive != count { return false }
            }
            return true
        }
    }

    func metric(_ name: String, of i: Int) async -> String {
        let (_, body) = (try? await AdminClient(socketPath: socket(i)).request(.GET, "/v1/metrics")) ?? (0, [])
        return String(decoding: body, as: UTF8.self).split(separator: "\n").filter { $0.hasPrefix(name) }
            .joined(separator: "\n")
    }

    deinit {
        for agent in agents.values where agent.process.isRunning { kill(agent.process.processIdentifier, SIGKILL) }
    }
}
