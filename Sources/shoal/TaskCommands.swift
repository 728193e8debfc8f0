import ArgumentParser
import Foundation
import ShoalAgent

struct SubmitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit", abstract: "Run a command somewhere in the cluster; prints the task id.",
        discussion: """
            The leader places the task on an agent with room and the labels asked for; that agent runs \
            ARGV in a directory of its own with the inputs as files, and stores its outputs, stdout and \
            stderr as objects. With --wait, prints the task's stdout and exits with its exit code.
            Example: shoal submit --cpu 500 --input data.csv=OBJECT_ID --output out.txt -- sh -c 'wc -l data.csv > out.txt'
            """)

    @OptionGroup var client: ClientOptions

    @Option(help: ArgumentHelp("CPU it needs, in millicores (1000 = one core; 500m also reads).", valueName: "millicores"))
    var cpu: String?

    @Option(help: ArgumentHelp("Memory it needs and may use: bytes, or with K, M, G (powers of 1024).", valueName: "size"))
    var memory: String?

    @Option(name: .customLong("label"), help: ArgumentHelp("A label the node must carry, key=value (repeatable).", valueName: "key=value"))
    var labels: [String] = []

    @Option(name: .customLong("input"), help: ArgumentHelp("A file in its directory: NAME=OBJECT_ID, or NAME=TASK:PATH for another task's output (repeatable).", valueName: "name=source"))
    var inputs: [String] = []

    @Option(name: .customLong("output"), help: ArgumentHelp("A path in its directory to store as an object when it succeeds (repeatable).", valueName: "path"))
    var outputs: [String] = []

    @Option(help: ArgumentHelp("Attempts after the first when one fails or its node is lost (default 3; 0: at most once).", valueName: "n"))
    var retries: Int?

    @Option(help: ArgumentHelp("Kill it (its whole process group) after this long: 500ms, 30s, 5m, 2h.", valueName: "duration"))
    var timeout: String?

    @Option(help: ArgumentHelp("0-100, higher placed first (default 50).", valueName: "p"))
    var priority: Int?

    @Option(help: ArgumentHelp("binpack (default: the fullest node that fits) or spread (the emptiest).", valueName: "strategy"))
    var strategy: String?

    @Option(name: .customLong("env"), help: ArgumentHelp("An environment variable for it, NAME=VALUE (repeatable).", valueName: "name=value"))
    var environment: [String] = []

    @Flag(help: "Wait for it to end; print its stdout (and stderr to stderr) and exit with its exit code.")
    var wait = false

    @Argument(parsing: .postTerminator, help: "The command and its arguments, after --.")
    var argv: [String] = []

    func run() async throws {
        var request = AdminAPI.TaskSubmitRequest(argv: argv)
        if let cpu { request.cpu = try TaskOptionParsing.millicores(cpu) }
        if let memory { request.memory = try TaskOptionParsing.bytes(memory) }
        if !labels.isEmpty { request.labels = labels }
        if !inputs.isEmpty {
            var mapped: [String: String] = [:]
            for input in inputs {
                guard let equals = input.firstIndex(of: "="), equals != input.startIndex else { throw fail("--input \(input): write NAME=OBJECT_ID or NAME=TASK:PATH") }
                let name = String(input[..<equals])
                guard mapped[name] == nil else { throw fail("--input names \(name) twice") }
                mapped[name] = String(input[input.index(after: equals)...])
            }
            request.inputs = mapped
        }
        if !environment.isEmpty {
            var mapped: [String: String] = [:]
            for variable in environment {
                guard let equals = variable.firstIndex(of: "="), equals != variable.startIndex else { throw fail("--env \(variable): write NAME=VALUE") }
                mapped[String(variable[..<equals])] = String(variable[variable.index(after: equals)...])
            }
            request.env = mapped
        }
        if !outputs.isEmpty { request.outputs = outputs }
        request.retries = retries
        if let timeout {
            guard let duration = AdminAPI.duration(timeout), duration > .zero else { throw fail("--timeout \(timeout): write a duration such as 500ms, 30s, 5m or 2h") }
            request.timeoutMs = Int64(duration / .milliseconds(1))
        }
        request.priority = priority
        request.strategy = strategy
        let task = try await client.post("/v1/tasks", request, as: AdminAPI.TaskView.self)
        guard wait else {
            switch client.outputFormat {
            case .json: try printJSON(task)
            case .text: print(task.id)
            }
            return
        }
        let ended = try await TaskWaiting.untilEnded(task.id, client: client)
        switch client.outputFormat {
        case .json: try printJSON(ended)
        case .text:
            try await TaskWaiting.printStreams(of: ended, client: client)
        }
        throw TaskWaiting.exit(for: ended)
    }
}

struct TasksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tasks", abstract: "List the cluster's tasks, oldest first.")

    @OptionGroup var client: ClientOptions

    @Option(help: ArgumentHelp("Only tasks in this state: pending, assigned, running, succeeded, failed, cancelled, lost.", valueName: "state"))
    var state: String?

    func run() async throws {
        let tasks = try await client.fetch("/v1/tasks" + (state.map { "?state=\($0)" } ?? ""), as: [AdminAPI.TaskView].self)
        switch client.outputFormat {
        case .json: try printJSON(tasks)
        case .text:
            printTable(
                header: ["ID", "STATE", "NODE", "ATTEMPT", "EXIT", "COMMAND"],
                rows: tasks.map { [$0.id, $0.state, $0.node ?? "-", String($0.attempt), $0.exitCode.map(String.init) ?? "-", $0.argv.joined(separator: " ")] })
        }
    }
}

struct TaskShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "task", abstract: "Show one task: its state, every attempt (node, times, exit code, reason) and its output objects.")

    @OptionGroup var client: ClientOptions

    @Argument(help: "The id submit printed.")
    var id: String

    func run() async throws {
        let task = try await client.fetch("/v1/tasks/" + id, as: AdminAPI.TaskView.self)
        switch client.outputFormat {
        case .json: try printJSON(task)
        case .text:
            var rows: [(String, String)] = [
                ("id", task.id), ("state", task.state), ("command", task.argv.joined(separator: " ")), ("node", task.node ?? "-"),
                ("exit code", task.exitCode.map(String.init) ?? "-"), ("submitted", TaskWaiting.time(task.submittedAt)),
                ("ended", task.endedAt.map(TaskWaiting.time) ?? "-"),
            ]
            if let reason = task.reason { rows.append(("reason", reason)) }
            for (path, object) in task.outputs.sorted(by: { $0.key < $1.key }) { rows.append(("output \(path)", object)) }
            for attempt in task.attempts {
                var text = "on \(attempt.node), term \(attempt.term), assigned \(TaskWaiting.time(attempt.assignedAt))"
                if let started = attempt.startedAt { text += ", started \(TaskWaiting.time(started))" }
                if let ended = attempt.endedAt { text += ", ended \(TaskWaiting.time(ended))" }
                if let code = attempt.exitCode { text += ", exit \(code)" }
                if let reason = attempt.reason { text += ": \(reason)" }
                rows.append(("attempt \(attempt.number)", text))
            }
            let width = rows.map(\.0.count).max() ?? 0
            for (key, value) in rows { print(key.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + value) }
        }
    }
}

struct WaitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wait", abstract: "Wait until every task named has ended; exits 0 when all succeeded, else with the first failure's exit code.")

    @OptionGroup var client: ClientOptions

    @Argument(help: "Task ids.")
    var ids: [String]

    func run() async throws {
        guard !ids.isEmpty else { throw fail("name at least one task id") }
        var ended: [AdminAPI.TaskView] = []
        for id in ids { ended.append(try await TaskWaiting.untilEnded(id, client: client)) }
        switch client.outputFormat {
        case .json: try printJSON(ended)
        case .text: for task in ended { print("\(task.id) \(task.state)\(task.exitCode.map { " (exit \($0))" } ?? "")\(task.state == "succeeded" ? "" : task.reason.map { ": \($0)" } ?? "")") }
        }
        if let failed = ended.first(where: { $0.state != "succeeded" }) { throw TaskWaiting.exit(for: failed) }
    }
}

struct LogsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs", abstract: "Print what a task wrote to stdout (or --stderr): its last attempt's, stored as objects when it ended.")

    @OptionGroup var client: ClientOptions

    @Argument(help: "The task id.")
    var id: String

    @Flag(help: "Print stderr instead of stdout.")
    var stderr = false

    @Flag(help: "If it is still running, wait for its attempt to end first.")
    var follow = false

    func run() async throws {
        let stream = stderr ? "stderr" : "stdout"
        if follow { _ = try await TaskWaiting.untilEnded(id, client: client, attemptEnded: true) }
        let bytes = try await TaskWaiting.stream(stream, of: id, client: client)
        FileHandle.standardOutput.write(Data(bytes))
    }
}

struct CancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cancel", abstract: "Cancel a task: a running attempt's process group is killed.")

    @OptionGroup var client: ClientOptions

    @Argument(help: "The task id.")
    var id: String

    func run() async throws {
        let task = try await client.post("/v1/tasks/\(id)/cancel", Optional<AdminAPI.TaskView>.none, as: AdminAPI.TaskView.self)
        switch client.outputFormat {
        case .json: try printJSON(task)
        case .text: print("\(task.id) \(task.state)")
        }
    }
}

/// Waiting on tasks through blocking reads, and reading their streams.
enum TaskWaiting {
    static let finalStates: Set<String> = ["succeeded", "failed", "cancelled", "lost"]

    /// Blocks (one `?index=N&wait=60s` read at a time) until the task is final, or with
    /// `attemptEnded` until its current attempt has ended (its streams are stored).
    static func untilEnded(_ id: String, client: ClientOptions, attemptEnded: Bool = false) async throws -> AdminAPI.TaskView {
        var index = "0"
        while true {
            let task: AdminAPI.TaskView
            let header: String?
            do throws(AdminClientError) {
                let (status, found, body) = try await client.client.get("/v1/tasks/\(id)?index=\(index)&wait=60s", header: AdminAPI.indexHeaderName)
                task = try AdminClient.decode(AdminAPI.TaskView.self, status: status, body: body)
                header = found
            } catch {
                throw fail(error.description)
            }
            if finalStates.contains(task.state) { return task }
            if attemptEnded, task.attempts.last?.endedAt != nil { return task }
            index = header ?? index
        }
    }

    static func stream(_ name: String, of id: String, client: ClientOptions) async throws -> [UInt8] {
        do throws(AdminClientError) {
            let (status, body) = try await client.client.request(.GET, "/v1/tasks/\(id)/logs?stream=\(name)")
            guard (200..<300).contains(status) else {
                _ = try AdminClient.decode(AdminAPI.Done.self, status: status, body: body)
                return []
            }
            return body
        } catch {
            throw fail(error.description)
        }
    }

    static func printStreams(of task: AdminAPI.TaskView, client: ClientOptions) async throws {
        guard task.attempts.contains(where: { $0.endedAt != nil }) else {
            if task.state != "succeeded" { FileHandle.standardError.write(Data("shoal: task \(task.id) \(task.state)\(task.reason.map { ": \($0)" } ?? "")\n".utf8)) }
            return
        }
        FileHandle.standardOutput.write(Data(try await stream("stdout", of: task.id, client: client)))
        FileHandle.standardError.write(Data(try await stream("stderr", of: task.id, client: client)))
        if task.state != "succeeded" { FileHandle.standardError.write(Data("shoal: task \(task.id) \(task.state)\(task.reason.map { ": \($0)" } ?? "")\n".utf8)) }
    }

    /// The task's exit code; 0 when it succeeded; 125 when it ended with no exit code of its own.
    static func exit(for task: AdminAPI.TaskView) -> ExitCode {
        if task.state == "succeeded" { return .success }
        if let code = task.exitCode, code != 0 { return ExitCode(code) }
        return ExitCode(125)
    }

    static func time(_ milliseconds: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1_000))
    }
}

/// Parsing of submit's sizes and durations.
enum TaskOptionParsing {
    static func millicores(_ text: String) throws -> Int64 {
        let digits = text.hasSuffix("m") ? String(text.dropLast()) : text
        guard let value = Int64(digits), value >= 0 else { throw fail("--cpu \(text): write millicores, such as 500 or 500m (1000 = one core)") }
        return value
    }

    static func bytes(_ text: String) throws -> Int64 {
        guard let bytes = AdminAPI.byteCount(text), let value = Int64(exactly: bytes) else {
            throw fail("--memory \(text): write bytes, or a size such as 256M, 256MiB or 2G")
        }
        return value
    }
}
