import CLinux
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One task's process, the leader of its own process group: started by `shoal_spawn_task`
/// (Sources/CLinux/shim.h), waited for on a thread of its own, killed as a whole group.
final class TaskProcess: Sendable {
    /// The process id, which is also its group's id.
    let pid: pid_t

    /// Why a process could not start.
    struct SpawnError: Error, CustomStringConvertible {
        let description: String
    }

    /// Limits the process starts under (0: none).
    struct Limits: Sendable, Equatable {
        var addressSpaceBytes: UInt64 = 0
        var cpuSeconds: UInt64 = 0
        var fileBytes: UInt64 = 0
    }

    /// How the process ended.
    enum Exit: Sendable, Equatable {
        case exited(Int32)
        case signalled(Int32)

        /// The shell's convention: the exit status, or 128 + the signal.
        var code: Int32 {
            switch self {
            case .exited(let code): code
            case .signalled(let signal): 128 + signal
            }
        }
    }

    private init(pid: pid_t) {
        self.pid = pid
    }

    /// Starts `argv` in `directory` with exactly `environment`, its output appended to the two files.
    static func spawn(
        argv: [String], environment: [String: String], directory: String, stdout: String, stderr: String, limits: Limits
    ) throws(SpawnError) -> TaskProcess {
        guard !argv.isEmpty else { throw SpawnError(description: "argv is empty") }
        let arguments = argv.map { strdup($0) } + [nil]
        let variables = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in arguments { free(pointer) }
            for pointer in variables { free(pointer) }
        }
        var childErrno: Int32 = 0
        var stage: Int32 = 0
        let pid = arguments.withUnsafeBufferPointer { argvBuffer in
            variables.withUnsafeBufferPointer { envBuffer in
                shoal_spawn_task(
                    argvBuffer.baseAddress, envBuffer.baseAddress, directory, stdout, stderr,
                    shoal_task_limits(address_space_bytes: limits.addressSpaceBytes, cpu_seconds: limits.cpuSeconds, file_bytes: limits.fileBytes),
                    &childErrno, &stage)
            }
        }
        guard pid > 0 else {
            let what = ["could not fork", "could not make its process group", "could not enter its directory", "could not open its standard streams", "could not set its limits", "could not run \(argv[0])"]
            throw SpawnError(description: "\(what[Int(max(0, min(5, stage)))]): \(String(cString: strerror(childErrno)))")
        }
        return TaskProcess(pid: pid)
    }

    /// Waits for the process to end (on a thread of its own: `waitpid` blocks).
    func wait() async -> Exit {
        let pid = self.pid
        return await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var status: Int32 = 0
                while waitpid(pid, &status, 0) < 0, errno == EINTR {}
                let signal = status & 0x7f
                continuation.resume(returning: signal == 0 ? .exited((status >> 8) & 0xff) : .signalled(signal))
            }
        }
    }

    /// SIGKILL to the whole group: the process and every child it started that stayed in it.
    func killGroup() {
        _ = kill(-pid, SIGKILL)
    }

    /// The start time of `pid` in clock ticks since boot (field 22 of /proc/PID/stat), which
    /// tells a process from a later one that reused its pid.
    static func startTime(of pid: pid_t) -> UInt64? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // Fields after the name start at 3 (state); starttime is 22.
        return fields.count > 19 ? UInt64(fields[19]) : nil
    }
}
