import Foundation
import Logging
import Metrics
import ShoalConsensus
import ShoalCrypto
import ShoalScheduler
import ShoalTransport
import ShoalWire
import Testing

@testable import ShoalAgent

/// The bounds of the doors tasks open: what a certified peer may have the leader propose over
/// `leader/1`, how many tasks one submission may carry, how many task processes an agent runs
/// at once whatever is assigned to it, and how long the table keeps what ended.
@Suite("tasks: what peers and submitters can make an agent do", .serialized)
struct TasksHostileTests {
    @Test("a certified peer may submit and cancel, and report only its own attempts: placements, lost nodes, another node's results and a submission of 10,001 are refused and change nothing")
    func peerCommandsBounded() async throws {
        let cluster = try await LocalCluster(subnet: 77)
        let agent = try cluster.start(1, extra: ["--bootstrap-expect", "1"])
        let info = try await agent.waitUntilServing()
        let agentKey = try PublicKey(hex: info.id)
        let admin = AdminClient(socketPath: cluster.socket(1))
        let led = await cluster.eventually(timeout: .seconds(30)) { (try? await admin.get("/v1/leader", as: AdminAPI.Leader.self)) != nil }
        #expect(led, "the single agent leads")
        // A task of the agent's own, running, whose attempt a peer will try to fail.
        let (_, answer) = try await admin.request(.POST, "/v1/tasks", body: Array(#"{"argv":["sleep","30"]}"#.utf8))
        let task = try JSONDecoder().decode(AdminAPI.TaskView.self, from: Data(answer))
        let running = await cluster.eventually(timeout: .seconds(30)) { (try? await admin.get("/v1/tasks/\(task.id)", as: AdminAPI.TaskView.self))?.state == "running" }
        #expect(running, "the agent's task runs")
        let view = try await admin.get("/v1/tasks/\(task.id)", as: AdminAPI.TaskView.self)
        let attempt = try #require(view.attempts.last)

        let authority = try #require(try ClusterAuthority.loadSecret(directory: cluster.clusterDirectory))
        let key = SigningKey.generate()
        let certificate = try authority.issue(nodeKey: key.publicKey, name: "peer", expiresAt: UInt64.max / 2)
        let peer = Transport(
            identity: TransportIdentity(
                key: key, certificate: certificate, authority: authority.publicKey, clusterID: ClusterID(authority: authority.publicKey)),
            clock: ContinuousClock(), wallClock: { UInt64(Date().timeIntervalSince1970) },
            metrics: TransportMetrics(factory: NOOPMetricsHandler.instance), logger: Logger(label: "peer"))
        let host = String(cluster.address(1).split(separator: ":")[0])
        func send(_ command: Shoal_Wire_V1_TaskCommand) async throws -> Shoal_Wire_V1_LeaderResponse {
            var request = Shoal_Wire_V1_LeaderRequest()
            request.task = .with { $0.command = command }
            // Like the agent's own clients, a request whose connection fails is asked again (at
            // most three times): in a loaded full suite this process can be slow enough for a
            // pooled connection to be closed under it (seen twice: "I/O on closed channel").
            var attempt = 1
            while true {
                do {
                    return try await peer.withConnection(to: host, port: 7946, protocol: .leader, expecting: agentKey) { connection in
                        try await connection.send(request)
                        return try await connection.receive(Shoal_Wire_V1_LeaderResponse.self).message
                    }
                } catch let error as TransportError where attempt < 3 {
                    Logger(label: "peer").notice("asking again after a connection failure: \(error)")
                    attempt += 1
                }
            }
        }
        let agentNode = Data(agentKey.bytes)
        var assign = Shoal_Wire_V1_TaskCommand()
        assign.assign = .with { $0.term = 99; $0.assignments = [.with { $0.task = task.id; $0.attempt = 2; $0.node = Data(key.publicKey.bytes) }] }
        var lost = Shoal_Wire_V1_TaskCommand()
        lost.nodeLost = agentNode
        var forget = Shoal_Wire_V1_TaskCommand()
        forget.forget = .with { $0.endedBefore = Int64.max }
        var foreign = Shoal_Wire_V1_TaskCommand()
        foreign.finished = .with { $0.task = task.id; $0.attempt = UInt32(attempt.number); $0.term = attempt.term; $0.node = agentNode; $0.exitCode = 1 }
        var many = Shoal_Wire_V1_TaskCommand()
        many.submit = .with { submit in
            submit.tasks = (0...TaskTable.maximumSubmission).map { n in .with { $0.id = "t-peer-\(n)"; $0.spec = .with { $0.argv = ["true"] } } }
        }
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await peer.run() }
            defer { peer.shutdown() }
            for (name, command, words) in [
                ("an assignment", assign, "only the leader's scheduler"), ("a lost node", lost, "only the leader's scheduler"),
                ("forgetting every ended task", forget, "only the leader's scheduler"),
                ("another node's result", foreign, "only its own attempts"), ("10,001 tasks", many, "exceeds its limit"),
            ] {
                let response = try await send(command)
                guard case .error(let error)? = response.result else {
                    Issue.record("\(name) was answered \(response)")
                    continue
                }
                #expect(error.code == .invalid, "\(name): \(error)")
                #expect(error.message.contains(words), "\(name): '\(error.message)'")
            }
            // What a peer's users may do still works: a submission of its own.
            var one = Shoal_Wire_V1_TaskCommand()
            one.submit = .with { $0.tasks = [.with { $0.id = "t-from-peer"; $0.spec = .with { $0.argv = ["true"] } }] }
            guard case .tasks? = try await send(one).result else {
                Issue.record("a peer's own submission was refused")
                return
            }
        }
        let after = try await admin.get("/v1/tasks/\(task.id)", as: AdminAPI.TaskView.self)
        #expect(after.state == "running" && after.attempts.count == 1, "the agent's task is untouched: \(after)")
        let all = try await admin.get("/v1/tasks", as: [AdminAPI.TaskView].self)
        #expect(Set(all.map(\.id)) == [task.id, "t-from-peer"], "nothing of the refused submission was added")
    }

    @Test("an agent runs at most tasks.max_running task processes at once; the rest wait assigned and then all succeed")
    func runningBounded() async throws {
        let cluster = try await LocalCluster(subnet: 78)
        let agent = try cluster.start(1, extra: ["--bootstrap-expect", "1"], environment: ["SHOAL_TASKS_MAX_RUNNING": "2"])
        _ = try await agent.waitUntilServing()
        let admin = AdminClient(socketPath: cluster.socket(1))
        // Each task counts the tasks running when it starts (itself included) in a directory
        // they share, and prints the count; it leaves before it exits.
        let shared = TemporaryDirectory()
        let script = "echo $$ > \(shared.path)/$SHOAL_TASK_ID; ls \(shared.path) | wc -l; sleep 2; rm \(shared.path)/$SHOAL_TASK_ID"
        let spec = try String(decoding: JSONEncoder().encode(AdminAPI.TaskSubmitRequest(argv: ["sh", "-c", script], retries: 0)), as: UTF8.self)
        // Asking for no CPU or memory, placement would let all six run at once.
        let body = #"{"tasks":["# + Array(repeating: spec, count: 6).joined(separator: ",") + "]}"
        var submitted: [AdminAPI.TaskView] = []
        let accepted = await cluster.eventually(timeout: .seconds(30)) {
            guard let (status, answer) = try? await admin.request(.POST, "/v1/tasks", body: Array(body.utf8)), status == 201 else { return false }
            submitted = (try? JSONDecoder().decode([AdminAPI.TaskView].self, from: Data(answer))) ?? []
            return true
        }
        #expect(accepted && submitted.count == 6, "the submission was accepted once there was a leader")
        let done = await cluster.eventually(timeout: .seconds(120)) {
            let tasks = (try? await admin.get("/v1/tasks", as: [AdminAPI.TaskView].self)) ?? []
            return tasks.count == 6 && tasks.allSatisfy { $0.state == "succeeded" }
        }
        #expect(done, "all six ran to success in turn")
        var counts: [Int] = []
        for task in submitted {
            let (_, out) = try await admin.request(.GET, "/v1/tasks/\(task.id)/logs")
            counts.append(Int(String(decoding: out, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1)
        }
        #expect(counts.max() == 2, "at most two ran at once, and two did (each saw: \(counts))")
    }

    @Test("an ended task leaves the table once tasks.retention has passed, a running one does not, and its output objects stay")
    func endedTasksForgotten() async throws {
        let cluster = try await LocalCluster(subnet: 79)
        let agent = try cluster.start(1, extra: ["--bootstrap-expect", "1"], environment: ["SHOAL_TASKS_RETENTION": "1s"])
        _ = try await agent.waitUntilServing()
        let admin = AdminClient(socketPath: cluster.socket(1))
        let release = TemporaryDirectory().path + "-release"
        let quick = #"{"argv":["echo","kept"],"retries":0}"#
        let held = #"{"argv":["sh","-c","while [ ! -e \#(release) ]; do sleep 0.1; done"],"retries":0}"#
        var submitted: [AdminAPI.TaskView] = []
        let accepted = await cluster.eventually(timeout: .seconds(30)) {
            let body = Array(#"{"tasks":[\#(quick),\#(held)]}"#.utf8)
            guard let (status, answer) = try? await admin.request(.POST, "/v1/tasks", body: body), status == 201 else { return false }
            submitted = (try? JSONDecoder().decode([AdminAPI.TaskView].self, from: Data(answer))) ?? []
            return true
        }
        try #require(accepted && submitted.count == 2, "the submission was accepted once there was a leader")
        let (first, second) = (submitted[0].id, submitted[1].id)
        var stdout: String?
        let succeeded = await cluster.eventually(timeout: .seconds(60)) {
            let view = try? await admin.get("/v1/tasks/\(first)", as: AdminAPI.TaskView.self)
            stdout = view?.outputs["stdout"]
            return view?.state == "succeeded"
        }
        #expect(succeeded, "the quick task succeeded")
        let forgotten = await cluster.eventually(timeout: .seconds(60)) {
            (try? await admin.request(.GET, "/v1/tasks/\(first)"))?.status == 404
        }
        #expect(forgotten, "the ended task left the table after its retention")
        let running = try await admin.get("/v1/tasks/\(second)", as: AdminAPI.TaskView.self)
        #expect(running.state == "running", "a running task is kept whatever its age: \(running)")
        let (status, body) = try await admin.request(.GET, "/v1/objects/\(try #require(stdout))")
        #expect(status == 200 && String(decoding: body, as: UTF8.self) == "kept\n", "its stdout object stays")
        _ = FileManager.default.createFile(atPath: release, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: release) }
        let gone = await cluster.eventually(timeout: .seconds(60)) {
            (try? await admin.request(.GET, "/v1/tasks/\(second)"))?.status == 404
        }
        #expect(gone, "the held task left the table too once it had ended and its retention passed")
    }
}
