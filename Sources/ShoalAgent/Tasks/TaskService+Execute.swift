import Foundation
import ShoalConsensus
import ShoalMembership
import ShoalObjects
import ShoalScheduler
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

extension TaskService {
    /// Follows the attempts the table assigns to this node (a blocking read that wakes when
    /// the table changes) and makes what runs here match: starts the new, kills the taken away.
    func executeLoop() async {
        var index: LogIndex = 0
        while !Task.isCancelled, !stopping {
            let reply: TaskReply
            do throws(KVFailure) {
                let watch = index == 0 ? nil : KVWatch(index: index, wait: settings.watchWait)
                reply = try await consensus.read(tasks: TaskQuery(node: myself, watch: watch))
            } catch {
                try? await clock.sleep(.milliseconds(250))
                continue
            }
            // A table no task entry has touched yet has index 0: wait for the first.
            index = max(reply.index, 1)
            reconcile(reply.records)
        }
    }

    /// Starts each attempt assigned here that is not running, reports as lost those an earlier
    /// run of this agent left (or that the table says run here but this process never
    /// started), and kills those no longer assigned here (cancelled, re-queued).
    private func reconcile(_ records: [TaskRecord]) {
        lastAssigned = records
        var wanted: Set<AttemptKey> = []
        for record in records {
            guard let attempt = record.currentAttempt, attempt.node == myself, record.state == .assigned || record.state == .running else { continue }
            let key = AttemptKey(task: record.id, attempt: attempt.number)
            wanted.insert(key)
            guard running[key] == nil, !ended.contains(key) else { continue }
            if orphans.remove(key) != nil || record.state == .running {
                reportLost(record, attempt)
            } else if running.count < settings.maxRunning {
                start(record, attempt)
            }
            // Else it stays assigned until an attempt here ends (`attemptEnded`).

        }
        for (key, attempt) in running where !wanted.contains(key) {
            attempt.kill(reason: "it was cancelled or taken from this node")
        }
    }

    private func start(_ record: TaskRecord, _ attempt: TaskAttempt) {
        let key = AttemptKey(task: record.id, attempt: attempt.number)
        let handle = RunningAttempt()
        running[key] = handle
        Task {
            await self.execute(record, attempt, handle)
            self.attemptEnded(key)
        }
    }

    private func reportLost(_ record: TaskRecord, _ attempt: TaskAttempt) {
        let key = AttemptKey(task: record.id, attempt: attempt.number)
        running[key] = RunningAttempt()
        logger.notice("attempt left by an earlier run reported lost", metadata: ["task": "\(key)"])
        Task {
            let result = TaskResult(
                task: record.id, attempt: attempt.number, term: attempt.term, node: self.myself, exitCode: nil,
                failure: "lost: the agent on its node restarted while it ran")
            await self.report(.finished(result, at: self.nowMilliseconds), about: key)
            self.attemptEnded(key)
        }
    }

    private func attemptEnded(_ key: AttemptKey) {
        let wasFull = running.count >= settings.maxRunning
        defer {
            // A place freed: start what waited for one (a later read kills it if it was cancelled meanwhile).
            if wasFull { reconcile(lastAssigned) }
        }
        running[key] = nil
        ended.insert(key)
        endedOrder.append(key)
        // Enough to outlast any read that was in flight when the attempt ended.
        if endedOrder.count > 10_000 { ended.remove(endedOrder.removeFirst()) }
    }

    /// One attempt from start to report: directory, inputs, `started`, the process under its
    /// limits and timeout, outputs stored as objects, `finished`, directory removed.
    private func execute(_ record: TaskRecord, _ attempt: TaskAttempt, _ handle: RunningAttempt) async {
        let key = AttemptKey(task: record.id, attempt: attempt.number)
        let directory = slots.acquire()
        defer { slots.release(directory) }
        let work = directory + "/work"
        var exitCode: Int32?
        var failure: String?
        var outputs: [String: ObjectID] = [:]
        var startedAt: Int64?
        // `started` is reported only for a process still running after `startReportDelay`; a
        // shorter one's start time travels in its `finished` (one entry instead of two, and its
        // result waits for no other commit). The table treats an attempt the same whether it
        // is assigned or running (a lost node's are lost either way), so this changes no rule.
        let startReport = OnceFlag()
        do throws(AttemptFailure) {
            try TaskFiles.prepare(work)
            try await materialise(record.spec.inputs, into: work)
            if let killed = handle.killedReason { throw AttemptFailure(description: killed) }
            let now = nowMilliseconds
            let process: TaskProcess
            do {
                process = try TaskProcess.spawn(
                    argv: record.spec.argv, environment: environment(for: record, attempt: attempt, directory: work), directory: work,
                    stdout: directory + "/stdout", stderr: directory + "/stderr", limits: limits(for: record.spec))
            } catch {
                throw AttemptFailure(description: error.description)
            }
            handle.started(process)
            startedAt = now
            let delay = settings.startReportDelay
            Task {
                try? await self.clock.sleep(delay)
                guard startReport.claim() else { return }
                await self.report(.started(task: record.id, attempt: attempt.number, node: self.myself, at: now), about: key)
            }
            rememberProcess(process, key: key, in: directory)
            let (exit, timedOut) = await wait(for: process, timeout: record.spec.timeoutMilliseconds)
            startReport.claim()
            // What the task left running in its group goes with it.
            process.killGroup()
            exitCode = exit.code
            if let killed = handle.killedReason {
                failure = killed
                exitCode = nil
            } else if timedOut, let limit = record.spec.timeoutMilliseconds {
                failure = "timed out after \(Duration.milliseconds(limit)); its process group was killed"
                exitCode = nil
            } else if case .signalled(let signal) = exit {
                failure = "killed by signal \(signal)\(signal == SIGXCPU || signal == SIGKILL ? " (a limit may have been reached)" : "")"
            }
            // The streams are kept whatever happened (`shoal logs` reads a failed attempt's too),
            // an empty one as no object at all.
            for (name, path) in [("stdout", directory + "/stdout"), ("stderr", directory + "/stderr")] {
                outputs[name] = try await store(stream: path, as: name)
            }
            if failure == nil, exitCode == 0 {
                for output in record.spec.outputs {
                    outputs[output] = try await store(output: output, in: work)
                }
            }
        } catch {
            failure = failure ?? error.description
            if handle.killedReason == nil, exitCode == 0 { exitCode = nil }
        }
        let result = TaskResult(
            task: record.id, attempt: attempt.number, term: attempt.term, node: myself, exitCode: exitCode, failure: failure, outputs: outputs,
            startedAt: startedAt)
        await report(.finished(result, at: nowMilliseconds), about: key)
        // The slot is free again: nothing of this attempt is left to find after a restart.
        TaskFiles.overwrite(directory + "/attempt", with: "")
    }

    /// Waits for the process, killing its group when the timeout passes first.
    private func wait(for process: TaskProcess, timeout: Int64?) async -> (TaskProcess.Exit, timedOut: Bool) {
        guard let timeout else { return (await process.wait(), false) }
        let clock = self.clock
        let timedOut = OnceFlag()
        return await withTaskGroup(of: TaskProcess.Exit?.self) { group in
            group.addTask { await process.wait() }
            group.addTask {
                try? await clock.sleep(.milliseconds(timeout))
                guard !Task.isCancelled else { return nil }
                timedOut.claim()
                process.killGroup()
                return nil
            }
            var exit: TaskProcess.Exit = .signalled(SIGKILL)
            for await result in group {
                if let result {
                    exit = result
                    group.cancelAll()
                }
            }
            return (exit, timedOut.isSet)
        }
    }

    /// The task's environment: a small base (PATH from the agent, HOME and TMPDIR in its
    /// directory, the task's id and attempt), then what the spec sets.
    private func environment(for record: TaskRecord, attempt: TaskAttempt, directory: String) -> [String: String] {
        var environment = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin",
            "HOME": directory, "TMPDIR": directory, "LANG": "C.UTF-8",
            "SHOAL_TASK_ID": record.id.rawValue, "SHOAL_TASK_ATTEMPT": String(attempt.number),
        ]
        environment.merge(record.spec.environment) { _, spec in spec }
        return environment
    }

    /// setrlimit: memory as the address space, CPU time as the share asked for over the
    /// timeout (a task with both set cannot use more than `cpu x timeout` of CPU time).
    private func limits(for spec: TaskSpec) -> TaskProcess.Limits {
        var limits = TaskProcess.Limits()
        if spec.resources.memoryBytes > 0 { limits.addressSpaceBytes = UInt64(spec.resources.memoryBytes) }
        if spec.resources.cpuMillis > 0, let timeout = spec.timeoutMilliseconds {
            limits.cpuSeconds = UInt64((Double(spec.resources.cpuMillis) / 1_000 * Double(timeout) / 1_000).rounded(.up)) + 1
        }
        return limits
    }

    /// Writes each input's object into the directory, reading the producer's record for an
    /// output of another task.
    private func materialise(_ inputs: [TaskInput], into directory: String) async throws(AttemptFailure) {
        for input in inputs {
            let id: ObjectID
            switch input.source {
            case .object(let object): id = object
            case .output(let task, let path):
                let producer: TaskRecord?
                do {
                    producer = try await consensus.read(tasks: TaskQuery(ids: [task])).records.first
                } catch {
                    throw AttemptFailure(description: "input \(input.name): the producer \(task) could not be read: \(error)")
                }
                guard let producer, producer.state == .succeeded else {
                    throw AttemptFailure(description: "input \(input.name): task \(task) has not succeeded")
                }
                guard let object = producer.outputs[path] else {
                    // An empty stream is stored as no object: the input is an empty file.
                    guard TaskSpec.streamOutputs.contains(path) else {
                        throw AttemptFailure(description: "input \(input.name): task \(task) has no stored output \(path)")
                    }
                    close(try TaskFiles.create(input.name, in: directory))
                    continue
                }
                id = object
            }
            let fd = try TaskFiles.create(input.name, in: directory)
            defer { close(fd) }
            do {
                let reader = try await objects.read(id)
                for position in 0..<reader.manifest.chunkCount {
                    try TaskFiles.write(try await reader.chunk(at: position), to: fd, name: input.name)
                }
                await reader.finish()
            } catch let error as AttemptFailure {
                throw error
            } catch {
                throw AttemptFailure(description: "input \(input.name): object \(id) could not be read: \(error)")
            }
        }
    }

    private func store(output name: String, in directory: String) async throws(AttemptFailure) -> ObjectID {
        let (fd, length) = try TaskFiles.openOutput(name, in: directory)
        defer { close(fd) }
        return try await store(fd: fd, length: length, as: name)
    }

    /// A standard stream's file as an object; nil when it is empty (or was never written).
    private func store(stream path: String, as name: String) async throws(AttemptFailure) -> ObjectID? {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw AttemptFailure(description: "\(name) could not be read: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var info = stat()
        _ = fstat(fd, &info)
        guard info.st_size > 0 else { return nil }
        return try await store(fd: fd, length: UInt64(info.st_size), as: name)
    }

    private func store(fd: Int32, length: UInt64, as name: String) async throws(AttemptFailure) -> ObjectID {
        do {
            let put = try await objects.put(FileChunks(fd: fd), length: length, factor: settings.outputReplicas)
            guard let id = ObjectID(hex: put.id) else { throw AttemptFailure(description: "\(name): the store answered an id that does not parse") }
            return id
        } catch let error as AttemptFailure {
            throw error
        } catch {
            throw AttemptFailure(description: "\(name) could not be stored: \(error)")
        }
    }

    /// Proposes `command` until it commits, the table refuses it (it is stale: the attempt was
    /// cancelled or re-queued meanwhile), or the report deadline passes. A report proposed
    /// twice is harmless: the table ignores a result for an attempt that has ended.
    func report(_ command: TaskCommand, about key: AttemptKey) async {
        let deadline = clock.elapsed() + settings.reportDeadline
        var delay = Duration.milliseconds(100)
        while clock.elapsed() < deadline {
            do throws(KVFailure) {
                _ = try await consensus.propose(task: command)
                return
            } catch {
                if case .invalid(let why) = error {
                    logger.warning("task report refused", metadata: ["task": "\(key)", "reason": "\(why)"])
                    return
                }
                logger.debug("task report retried", metadata: ["task": "\(key)", "reason": "\(error)"])
            }
            try? await clock.sleep(delay)
            delay = min(delay * 2, .seconds(5))
        }
        logger.error("task report given up", metadata: ["task": "\(key)"])
    }

    // MARK: orphans

    /// Records which attempt runs in a slot, with its process group and start time, so an
    /// agent that restarts after a kill -9 can kill what it left running and report it lost.
    private func rememberProcess(_ process: TaskProcess, key: AttemptKey, in directory: String) {
        let start = TaskProcess.startTime(of: process.pid) ?? 0
        TaskFiles.overwrite(directory + "/attempt", with: "\(key) \(process.pid) \(start)\n")
    }

    /// The attempts an earlier run of this agent left in its slots: their process groups
    /// killed (when the recorded process is still the same one), the slots emptied, their keys
    /// kept to report as lost.
    func collectOrphans() -> Set<AttemptKey> {
        try? FileManager.default.createDirectory(atPath: settings.directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: settings.directory) else { return [] }
        var found: Set<AttemptKey> = []
        for entry in entries {
            let directory = settings.directory + "/" + entry
            if let text = try? String(contentsOfFile: directory + "/attempt", encoding: .utf8) {
                let fields = text.split(whereSeparator: \.isWhitespace)
                if fields.count == 3 {
                    if let pid = pid_t(fields[1]), let start = UInt64(fields[2]), pid > 1, TaskProcess.startTime(of: pid) == start {
                        _ = kill(-pid, SIGKILL)
                        logger.notice("killed the process group an earlier run left", metadata: ["attempt": "\(fields[0])", "pid": "\(pid)"])
                    }
                    let parts = fields[0].split(separator: ".")
                    if parts.count == 2, let task = TaskID(String(parts[0])), let attempt = Int(parts[1]) { found.insert(AttemptKey(task: task, attempt: attempt)) }
                }
            }
            // Slots are numbered afresh by this run.
            TaskFiles.remove(directory)
        }
        return found
    }
}

/// A flag set once, by whichever of two racing tasks gets there first: the timeout or the exit
/// (`wait(for:timeout:)`), the delayed `started` report or the attempt's end (`execute`).
final class OnceFlag: Sendable {
    private let state = Mutex(false)
    /// Sets the flag; true for the first caller only.
    @discardableResult
    func claim() -> Bool { state.withLock { set in defer { set = true }; return !set } }
    var isSet: Bool { state.withLock { $0 } }
}
