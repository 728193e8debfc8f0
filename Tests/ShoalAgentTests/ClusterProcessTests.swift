import Foundation
import Testing

@testable import ShoalAgent

/// Five real agent processes on loopback addresses (issue: membership, cluster tests).
@Suite("a cluster of real agents", .serialized)
struct ClusterProcessTests {
    @Test("five agents joining through one seed all see five alive members")
    func fiveJoin() async throws {
        let cluster = try await LocalCluster(subnet: 31)
        #expect(try await cluster.startConverged(5))
        let members = try await cluster.members(seenBy: 5)
        #expect(Set(members.map(\.name)) == ["n1", "n2", "n3", "n4", "n5"])
        #expect(Set(members.map(\.address)) == Set((1...5).map(cluster.address)))
    }

    @Test("kill -9 of one agent is seen as dead by every other")
    func killIsDead() async throws {
        let cluster = try await LocalCluster(subnet: 32)
        #expect(try await cluster.startConverged(5))
        _ = try await cluster.agents[3]!.stop(signal: SIGKILL)
        let seen = await cluster.eventually {
            for i in [1, 2, 4, 5] where await cluster.status(of: "n3", seenBy: i) != "dead" { return false }
            return true
        }
        #expect(seen)
    }

    @Test("an agent restarted with the same state directory comes back alive with a higher incarnation")
    func restartSupersedes() async throws {
        let cluster = try await LocalCluster(subnet: 33)
        #expect(try await cluster.startConverged(5))
        let before = try await cluster.members(seenBy: 1).first { $0.name == "n4" }!
        _ = try await cluster.agents[4]!.stop(signal: SIGKILL)
        #expect(await cluster.eventually { await cluster.status(of: "n4", seenBy: 1) == "dead" })
        try cluster.start(4)
        let back = await cluster.eventually {
            for i in [1, 2, 3, 5] {
                guard let member = try? await cluster.members(seenBy: i).first(where: { $0.name == "n4" }),
                    member.status == "alive", member.incarnation > before.incarnation, member.id == before.id
                else { return false }
            }
            return true
        }
        #expect(back)
    }

    @Test("SIGTERM of one agent is seen as left, not dead")
    func sigtermIsLeft() async throws {
        let cluster = try await LocalCluster(subnet: 34)
        #expect(try await cluster.startConverged(5))
        let stopped = try await cluster.agents[2]!.stop(signal: SIGTERM)
        #expect(stopped.status == 0)
        var statuses: [String?] = []
        for i in [1, 3, 4, 5] { statuses.append(await cluster.status(of: "n2", seenBy: i)) }
        #expect(statuses == ["left", "left", "left", "left"])
    }

    @Test("shoal leave makes the agent leave and exit; force-leave turns a dead member into left")
    func leaveAndForceLeave() async throws {
        let cluster = try await LocalCluster(subnet: 35)
        #expect(try await cluster.startConverged(3))
        let leave = try await AgentProcess.run(["leave", "--socket", cluster.socket(3)])
        #expect(leave.status == 0)
        #expect(try await cluster.agents[3]!.waitForExit(timeout: .seconds(15)) == 0)
        #expect(await cluster.status(of: "n3", seenBy: 1) == "left")

        _ = try await cluster.agents[2]!.stop(signal: SIGKILL)
        #expect(await cluster.eventually { await cluster.status(of: "n2", seenBy: 1) == "dead" })
        let force = try await AgentProcess.run(["force-leave", "n2", "--socket", cluster.socket(1)])
        #expect(force.status == 0, "\(force.err)")
        #expect(await cluster.status(of: "n2", seenBy: 1) == "left")
    }

    @Test("shoal members prints a JSON array with the fields scripts rely on, and an aligned table")
    func membersOutput() async throws {
        let cluster = try await LocalCluster(subnet: 36)
        #expect(try await cluster.startConverged(2))
        let json = try await AgentProcess.run(["members", "--socket", cluster.socket(1), "--format", "json"])
        let array = try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [[String: Any]]
        #expect(array?.count == 2)
        for key in ["name", "id", "address", "status", "incarnation", "labels"] {
            #expect(array?.allSatisfy { $0[key] != nil } == true, "missing \(key)")
        }
        let text = try await AgentProcess.run(["members", "--socket", cluster.socket(1)])
        let lines = text.out.split(separator: "\n")
        #expect(lines.first?.hasPrefix("NAME") == true)
        #expect(lines.count == 3)
        let statusColumn = lines.map { $0.range(of: "alive")?.lowerBound.utf16Offset(in: $0) }
        #expect(statusColumn.dropFirst().allSatisfy { $0 != nil }, "a member row without 'alive': \(lines)")
        #expect(Set(statusColumn.dropFirst()).count == 1, "the status column is not aligned: \(lines)")
    }

    @Test("shoal join connects two agents started apart")
    func cliJoin() async throws {
        let cluster = try await LocalCluster(subnet: 37)
        _ = try await cluster.start(1).waitUntilServing()
        _ = try await cluster.start(2, seed: "").waitUntilServing()
        let joined = try await AgentProcess.run(["join", cluster.address(1), "--socket", cluster.socket(2)])
        #expect(joined.status == 0, "\(joined.err)")
        #expect(await cluster.eventually { (try? await cluster.members(seenBy: 1).count) == 2 })
        let refused = try await AgentProcess.run(["join", "127.0.37.9:7946", "--socket", cluster.socket(2)])
        #expect(refused.status != 0)
    }

    @Test("shoal monitor streams a failure as it happens")
    func monitorStreamsFailure() async throws {
        let cluster = try await LocalCluster(subnet: 38)
        #expect(try await cluster.startConverged(3))
        let monitor = AdminClient(socketPath: cluster.socket(1))
        // Bounded: if the failure is never reported the stream would otherwise be read forever.
        async let events: [String]? = try? withTimeout(.seconds(60), clock: ContinuousClock()) {
            var lines: [String] = []
            var pending: [UInt8] = []
            try? await monitor.stream(.GET, "/v1/monitor") { _, chunk in
                pending.append(contentsOf: chunk)
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    lines.append(String(decoding: pending[..<newline], as: UTF8.self))
                    pending.removeSubrange(...newline)
                    if lines.last?.contains("\"failed\"") == true { throw CancellationError() }
                }
            }
            return lines
        }
        try await Task.sleep(for: .milliseconds(300))
        _ = try await cluster.agents[3]!.stop(signal: SIGKILL)
        let lines = try #require(await events, "no failure reported on the monitor stream within 60 s")
        #expect(lines.contains { $0.contains("\"event\":\"failed\"") && $0.contains("\"name\":\"n3\"") })
    }
}
