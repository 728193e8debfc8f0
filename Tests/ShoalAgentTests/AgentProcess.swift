import Foundation
import ShoalAgent

/// A real `shoal` process for tests: started with arguments, stopped by signal,
/// its standard error kept for assertions and failure messages.
final class AgentProcess: @unchecked Sendable {
    // @unchecked: `process` and the log pipe are only touched from the test's own task;
    // Foundation's Process is not marked Sendable on Linux.
    let process = Process()
    /// Standard error goes to a file, not a pipe: nobody reads a pipe while the agent runs, and
    /// one that filled up (64 KiB of log) would block the agent in its next log line.
    private let errorFile: String
    private let logDirectory = TemporaryDirectory()
    let socket: String

    /// The binary under test: $SHOAL_BINARY (set by `make test`), else the debug build.
    static var binary: String {
        if let path = ProcessInfo.processInfo.environment["SHOAL_BINARY"], !path.isEmpty { return path }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../.build/debug/shoal").standardized.path
    }

    init(arguments: [String], socket: String, environment: [String: String] = [:]) throws {
        self.socket = socket
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SHOAL_") && $0.key != "NOTIFY_SOCKET" }
        env.merge(environment) { _, new in new }
        process.environment = env
        errorFile = logDirectory.path + "/stderr"
        _ = FileManager.default.createFile(atPath: errorFile, contents: nil)
        let errorHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: errorFile))
        defer { try? errorHandle.close() }
        process.standardError = errorHandle
        process.standardOutput = FileHandle.nullDevice
        try process.run()
    }

    /// Runs `shoal` to completion and returns its exit status, stdout and stderr; a run that
    /// outlasts `timeout` is killed and throws `AgentProcessError.timedOut`.
    static func run(
        _ arguments: [String], environment: [String: String] = [:], timeout: Duration = .seconds(60)
    ) async throws -> (status: Int32, out: String, err: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SHOAL_") }
        env.merge(environment) { _, new in new }
        process.environment = env
        // Files, not pipes: the output is read after the exit, and a pipe that fills up would
        // block the child forever.
        let dir = TemporaryDirectory()
        let outPath = dir.path + "/out", errPath = dir.path + "/err"
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        defer {
            try? out.close()
            try? err.close()
        }
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let deadline = ContinuousClock.now + timeout
        // Polled with Task.sleep: a blocking wait would hold one of the cooperative pool's two
        // threads for as long as the command runs, and starve every other test's clock.
        while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        let read = { (path: String) in String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw AgentProcessError.timedOut(log: "`shoal \(arguments.joined(separator: " "))` ran over \(timeout):\n\(read(errPath))")
        }
        return (process.terminationStatus, read(outPath), read(errPath))
    }

    /// Waits until the admin API answers `/v1/info`, or the process exits, or `timeout` passes.
    func waitUntilServing(timeout: Duration = .seconds(60)) async throws -> AdminAPI.Info {
        let client = AdminClient(socketPath: socket)
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard process.isRunning else { throw AgentProcessError.exited(status: process.terminationStatus, log: log()) }
            if let info = try? await client.get("/v1/info", as: AdminAPI.Info.self) { return info }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw AgentProcessError.timedOut(log: log())
    }

    /// Sends `signal` and waits for the exit; returns the exit status and how long it took.
    func stop(signal: Int32 = SIGTERM, timeout: Duration = .seconds(30)) async throws -> (status: Int32, took: Duration) {
        let start = ContinuousClock.now
        kill(process.processIdentifier, signal)
        while process.isRunning {
            if ContinuousClock.now - start > timeout { throw AgentProcessError.timedOut(log: log()) }
            try await Task.sleep(for: .milliseconds(20))
        }
        return (process.terminationStatus, ContinuousClock.now - start)
    }

    /// Waits for the process to exit by itself.
    func waitForExit(timeout: Duration = .seconds(60)) async throws -> Int32 {
        let start = ContinuousClock.now
        while process.isRunning {
            if ContinuousClock.now - start > timeout { throw AgentProcessError.timedOut(log: log()) }
            try await Task.sleep(for: .milliseconds(20))
        }
        return process.terminationStatus
    }

    /// Standard error so far.
    func log() -> String {
        String(decoding: FileManager.default.contents(atPath: errorFile) ?? Data(), as: UTF8.self)
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

enum AgentProcessError: Error, CustomStringConvertible {
    case exited(status: Int32, log: String)
    case timedOut(log: String)

    var description: String {
        switch self {
        case .exited(let status, let log): "agent exited with status \(status):\n\(log)"
        case .timedOut(let log): "timed out waiting for the agent:\n\(log)"
        }
    }
}
