import Foundation
import Testing

@testable import ShoalAgent

/// Tasks among real agents (issue: tasks, item 6): a DAG whose last task reads the first two's
/// outputs, placement by label, a timeout and a cancel that kill the task's children, and the
/// submissions refused at the door. Every wait is bounded and says what it waited for.
@Suite("tasks among real agents", .serialized)
struct TasksProcessTests {
    static let final: Set<String> = ["succeeded", "failed", "cancelled", "lost"]

    func submit(_ body: String, via i: Int, in cluster: LocalCluster) async throws -> (status: Int, task: AdminAPI.TaskView?, message: String) {
        let (status, answer) = try await AdminClient(socketPath: cluster.socket(i)).request(.POST, "/v1/tasks", body: Array(body.utf8))
        let task = try? JSONDecoder().decode(AdminAPI.TaskView.self, from: Data(answer))
        let message = (try? JSONDecoder().decode(AdminAPI.ErrorBody.self, from: Data(answer)))?.error.message ?? ""
        return (status, task, message)
    }

    func task(_ id: String, via i: Int, in cluster: LocalCluster) async -> AdminAPI.TaskView? {
        try? await AdminClient(socketPath: cluster.socket(i)).get("/v1/tasks/\(id)", as: AdminAPI.TaskView.self)
    }

    /// Waits (bounded) until the task is final and returns it.
    func ended(_ id: String, via i: Int, in cluster: LocalCluster, timeout: Duration = .seconds(60)) async throws -> AdminAPI.TaskView {
        var last: AdminAPI.TaskView?
        let done = await cluster.eventually(timeout: timeout) {
            last = await task(id, via: i, in: cluster)
            return last.map { Self.final.contains($0.state) } ?? false
        }
        #expect(done, "task \(id) did not end within \(timeout); last seen \(String(describing: last))")
        return try #require(last)
    }

    func object(_ id: String, via i: Int, in cluster: LocalCluster) async throws -> String {
        let (status, body) = try await AdminClient(socketPath: cluster.socket(i)).request(.GET, "/v1/objects/\(id)")
        #expect(status == 200, "object \(id) reads back")
        return String(decoding: body, as: UTF8.self)
    }

    @Test("a DAG of three: the last reads the first two's outputs; a label places a task on the node that has it; logs are objects")
    func dagAndLabels() async throws {
        let cluster = try await LocalCluster(subnet: 74)
        #expect(try await cluster.startConverged(3) { $0 == 3 ? ["--label", "zone=b"] : ["--label", "zone=a"] })
        let a = try #require(try await submit(#"{"argv":["sh","-c","echo alpha > a.txt"],"outputs":["a.txt"]}"#, via: 1, in: cluster).task)
        let b = try #require(try await submit(#"{"argv":["sh","-c","echo beta > b.txt"],"outputs":["b.txt"]}"#, via: 2, in: cluster).task)
        let c = try #require(
            try await submit(
                #"{"argv":["sh","-c","cat x y > joined; echo done"],"inputs":{"x":"\#(a.id):a.txt","y":"\#(b.id):b.txt"},"outputs":["joined"],"labels":["zone=b"]}"#,
                via: 3, in: cluster
            ).task)
        let last = try await ended(c.id, via: 1, in: cluster)
        #expect(last.state == "succeeded", "the DAG's last task ran: \(last)")
        #expect(last.node == cluster.name(3), "zone=b is only on n3")
        #expect(try await object(try #require(last.outputs["joined"]), via: 2, in: cluster) == "alpha\nbeta\n")
        #expect(try await object(try #require(last.outputs["stdout"]), via: 1, in: cluster) == "done\n")
        var producersEnded: Int64 = 0
        for producer in [a.id, b.id] {
            let done = try await ended(producer, via: 2, in: cluster)
            #expect(done.state == "succeeded")
            producersEnded = max(producersEnded, done.endedAt ?? .max)
        }
        // The last task waited for its inputs' producers (one clock: every agent is on this machine).
        let attempt = try #require(last.attempts.first)
        #expect(attempt.assignedAt >= producersEnded, "the last task was placed only after both producers ended")
        // A quick task's start time comes with its result, when no started entry recorded it.
        let startedAt = try #require(attempt.startedAt, "the attempt has a start time: \(attempt)")
        #expect(attempt.assignedAt <= startedAt && startedAt <= (attempt.endedAt ?? 0), "\(attempt)")
        let (status, logs) = try await AdminClient(socketPath: cluster.socket(2)).request(.GET, "/v1/tasks/\(c.id)/logs")
        #expect(status == 200 && logs == Array("done\n".utf8))
        // A task that needs more than any node offers stays pending and says why.
        let huge = try #require(try await submit(#"{"argv":["true"],"cpu":900000}"#, via: 1, in: cluster).task)
        var reason = ""
        let explained = await cluster.eventually(timeout: .seconds(30)) {
            reason = await task(huge.id, via: 2, in: cluster)?.reason ?? ""
            return reason.contains("more than any matching node has")
        }
        #expect(explained, "an unplaceable task shows why: '\(reason)'")
        #expect(await task(huge.id, via: 3, in: cluster)?.state == "pending")
    }

    @Test("a timeout and a cancel kill the task's whole process group; bad submissions are typed 4xx errors that change nothing")
    func timeoutCancelBadInput() async throws {
        let cluster = try await LocalCluster(subnet: 75)
        #expect(try await cluster.startConverged(3))
        let token = "\(Int.random(in: 1_000...9_999)).5"
        let answer = try await submit(#"{"argv":["sh","-c","sleep \#(token) & sleep \#(token); wait"],"timeoutMs":1500,"retries":0}"#, via: 1, in: cluster)
        let timed = try #require(answer.task, "the submit answered \(answer.status): \(answer.message)")
        let started = await cluster.eventually(timeout: .seconds(30)) { TaskExecutionTests.processes(running: "sleep \(token)").count == 2 }
        #expect(started, "the task and its child started")
        let timedOut = try await ended(timed.id, via: 2, in: cluster)
        #expect(timedOut.state == "failed")
        #expect(timedOut.reason?.contains("timed out") == true, "\(timedOut)")
        let killed = await cluster.eventually(timeout: .seconds(10)) { TaskExecutionTests.processes(running: "sleep \(token)").isEmpty }
        #expect(killed, "the timed-out task's background child was killed with it")

        let other = "\(Int.random(in: 1_000...9_999)).75"
        let cancelled = try #require(try await submit(#"{"argv":["sh","-c","sleep \#(other) & sleep \#(other); wait"]}"#, via: 2, in: cluster).task)
        let running = await cluster.eventually(timeout: .seconds(30)) { TaskExecutionTests.processes(running: "sleep \(other)").count == 2 }
        #expect(running, "the task to cancel started")
        let (status, body) = try await AdminClient(socketPath: cluster.socket(3)).request(.POST, "/v1/tasks/\(cancelled.id)/cancel")
        #expect(status == 200)
        #expect((try? JSONDecoder().decode(AdminAPI.TaskView.self, from: Data(body)))?.state == "cancelled")
        let gone = await cluster.eventually(timeout: .seconds(10)) { TaskExecutionTests.processes(running: "sleep \(other)").isEmpty }
        #expect(gone, "cancel killed the task and its child")

        let before = try await AdminClient(socketPath: cluster.socket(1)).get("/v1/tasks", as: [AdminAPI.TaskView].self).count
        let missingObject = String(repeating: "0", count: 4) + String(repeating: "ab", count: 32) + "12"
        let refused: [(String, Int, String)] = [
            (#"{"argv":["true"],"cpus":1}"#, 400, "unknown field 'cpus'"),
            (#"{"argv":[]}"#, 400, "argv is empty"),
            (#"{"argv":["true"],"cpu":-5}"#, 400, "cannot be negative"),
            (#"{"argv":"true"}"#, 400, "wrong type"),
            (#"{"argv":["true"],"inputs":{"f":"t-nosuchtask:out"}}"#, 400, "does not exist"),
            (#"{"argv":["true"],"inputs":{"f":"1220\#(String(repeating: "ab", count: 32))"}}"#, 404, "no object"),
            (#"{"argv":["true"],"inputs":{"f":"\#(missingObject)"}}"#, 400, "neither an object id"),
            (#"{"argv":["true"],"outputs":["../escape"]}"#, 400, "path"),
            (#"{"tasks":["# + Array(repeating: #"{"argv":["true"]}"#, count: 10_001).joined(separator: ",") + "]}", 400, "exceeds its limit of 10000"),
        ]
        for (body, expected, words) in refused {
            let answer = try await submit(body, via: 2, in: cluster)
            #expect(answer.status == expected, "\(body) answered \(answer.status): \(answer.message)")
            #expect(answer.message.contains(words), "\(body): '\(answer.message)' should say '\(words)'")
        }
        #expect(try await AdminClient(socketPath: cluster.socket(3)).get("/v1/tasks", as: [AdminAPI.TaskView].self).count == before, "nothing was added")
        #expect(try await AdminClient(socketPath: cluster.socket(3)).request(.GET, "/v1/tasks/t-nosuchtask").status == 404)
        #expect(try await AdminClient(socketPath: cluster.socket(3)).request(.GET, "/v1/tasks/NOT_AN_ID").status == 400)
    }

    @Test("200 tasks over three agents while the leader is killed -9 and restarted, then a worker is killed -9 mid-run: every task succeeds exactly once and every output reads back")
    func survivesLeaderAndWorkerKills() async throws {
        let cluster = try await LocalCluster(subnet: 76)
        #expect(try await cluster.startConverged(3))
        let count = 200
        let spec = #"{"argv":["sh","-c","echo $SHOAL_TASK_ID > out; sleep 0.2"],"outputs":["out"],"cpu":250}"#
        var ids: [String] = []
        for batch in 0..<4 {
            let body = #"{"tasks":["# + Array(repeating: spec, count: count / 4).joined(separator: ",") + "]}"
            let (status, answer) = try await AdminClient(socketPath: cluster.socket(batch % 3 + 1)).request(.POST, "/v1/tasks", body: Array(body.utf8))
            #expect(status == 201, "batch \(batch): \(String(decoding: answer, as: UTF8.self))")
            ids += try JSONDecoder().decode([AdminAPI.TaskView].self, from: Data(answer)).map(\.id)
        }
        #expect(ids.count == count)

        func tasks(via i: Int) async -> [AdminAPI.TaskView] {
            (try? await AdminClient(socketPath: cluster.socket(i)).get("/v1/tasks", as: [AdminAPI.TaskView].self)) ?? []
        }
        func leaderIndex(among candidates: [Int]) async -> Int? {
            for i in candidates {
                if let leader = try? await AdminClient(socketPath: cluster.socket(i)).get("/v1/leader", as: AdminAPI.Leader.self) {
                    return candidates.first { cluster.name($0) == leader.name }
                }
            }
            return nil
        }

        // Once tasks run, kill the leader and bring it back from its state directory.
        let underway = await cluster.eventually(timeout: .seconds(60)) { await tasks(via: 1).contains { $0.state == "running" } }
        #expect(underway, "tasks started running")
        let leader = try #require(await leaderIndex(among: [1, 2, 3]), "a leader")
        _ = try await cluster.agents[leader]!.stop(signal: SIGKILL)
        try cluster.start(leader, seed: cluster.address(leader == 1 ? 2 : 1))
        _ = try await cluster.agents[leader]!.waitUntilServing()

        // Then kill a worker in the middle of its tasks, and leave it dead: membership declares
        // it failed and the leader re-queues what it held.
        let survivor = leader
        var worker: Int?
        let busy = await cluster.eventually(timeout: .seconds(60)) {
            let running = await tasks(via: survivor).filter { $0.state == "running" }
            worker = [1, 2, 3].first { i in i != survivor && running.contains { $0.node == cluster.name(i) } }
            return worker != nil
        }
        #expect(busy, "another worker had running tasks")
        let victim = try #require(worker)
        _ = try await cluster.agents[victim]!.stop(signal: SIGKILL)
        let alive = [1, 2, 3].filter { $0 != victim }

        var last: [AdminAPI.TaskView] = []
        let done = await cluster.eventually(timeout: .seconds(240)) {
            last = await tasks(via: alive[0])
            return last.count == count && last.allSatisfy { Self.final.contains($0.state) }
        }
        #expect(done, "all tasks ended: \(Dictionary(grouping: last, by: \.state).mapValues(\.count))")
        #expect(Set(last.map(\.id)) == Set(ids), "no task lost, none added")
        for task in last {
            #expect(task.state == "succeeded", "\(task.id) ended \(task.state): \(task.reason ?? "")")
            #expect(task.attempts.filter { $0.exitCode == 0 && $0.reason == nil }.count == 1, "\(task.id) succeeded exactly once: \(task.attempts)")
        }
        #expect(last.contains { $0.attempts.count > 1 }, "some tasks ran again after a kill")
        for task in last where task.state == "succeeded" {
            let stored = try #require(task.outputs["out"], "\(task.id) stored its output")
            #expect(try await object(stored, via: alive[task.id.hashValue & 1], in: cluster) == task.id + "\n", "\(task.id)'s output reads back")
        }
    }
}
