#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The POSIX calls the log makes, with errors mapped to `RaftStorageError`.
enum WALFile {
    static func errorText(_ code: Int32) -> String { POSIX.errorText(code) }

    /// `failure` as the log reports it: no room is `diskFull`, a failed fsync `syncFailed`.
    static func mapped(_ failure: POSIX.CallFailure) -> RaftStorageError {
        if failure.operation == .write, isNoSpace(failure.code) { return .diskFull(path: failure.path) }
        if failure.operation == .fsync { return .syncFailed(path: failure.path, reason: errorText(failure.code)) }
        return .io(path: failure.path, operation: failure.operation.rawValue, reason: errorText(failure.code))
    }

    /// ENOSPC, a quota or RLIMIT_FSIZE: all mean "no room", and all leave the log to be rolled back.
    static func isNoSpace(_ code: Int32) -> Bool { code == ENOSPC || code == EDQUOT || code == EFBIG }

    static func open(_ path: String, create: Bool) throws(RaftStorageError) -> Int32 {
        let flags = O_RDWR | O_CLOEXEC | O_APPEND | (create ? O_CREAT | O_EXCL : 0)
        let fd = openFile(path, flags, 0o600)
        guard fd >= 0 else {
            let code = errno
            if isNoSpace(code) { throw .diskFull(path: path) }
            throw .io(path: path, operation: create ? "create" : "open", reason: errorText(code))
        }
        return fd
    }

    static func readAll(_ fd: Int32, path: String) throws(RaftStorageError) -> [UInt8] {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .io(path: path, operation: "stat", reason: errorText(errno)) }
        do throws(POSIX.CallFailure) {
            return try POSIX.readAll(fd, count: Int(info.st_size), path: path)
        } catch {
            throw mapped(error)
        }
    }

    /// Writes every byte (the descriptor is O_APPEND). A partial write is left for the caller
    /// to roll back with `truncate`.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(RaftStorageError) {
        do throws(POSIX.CallFailure) { try POSIX.writeAll(fd, bytes, path: path) } catch { throw mapped(error) }
    }

    /// fdatasync: the data and the file size, which is all an append changes.
    static func sync(_ fd: Int32, path: String) throws(RaftStorageError) {
        guard fdatasync(fd) == 0 else { throw .syncFailed(path: path, reason: errorText(errno)) }
    }

    static func truncate(_ fd: Int32, to size: Int, path: String) throws(RaftStorageError) {
        guard ftruncate(fd, off_t(size)) == 0 else { throw .io(path: path, operation: "truncate", reason: errorText(errno)) }
    }

    /// Makes creations, renames and removals in `directory` durable.
    static func syncDirectory(_ directory: String) throws(RaftStorageError) {
        do throws(POSIX.CallFailure) { try POSIX.syncDirectory(directory) } catch { throw mapped(error) }
    }

    static func remove(_ path: String) throws(RaftStorageError) {
        guard unlink(path) == 0 || errno == ENOENT else { throw .io(path: path, operation: "remove", reason: errorText(errno)) }
    }

    /// Creates `directory` (mode 0700) and its parents if missing.
    static func makeDirectory(_ directory: String) throws(RaftStorageError) {
        var prefix = directory.hasPrefix("/") ? "" : "."
        for component in directory.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, 0o700) != 0 && errno != EEXIST {
                throw .io(path: prefix, operation: "create directory", reason: errorText(errno))
            }
        }
    }

    /// Takes an exclusive lock on `directory/LOCK`, held for as long as the descriptor is open
    /// (and released by the kernel when the process dies, even by SIGKILL).
    static func lock(_ directory: String) throws(RaftStorageError) -> Int32 {
        let path = directory + "/LOCK"
        let fd = openFile(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .io(path: path, operation: "open", reason: errorText(errno)) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            close(fd)
            if code == EWOULDBLOCK { throw .locked(directory: directory) }
            throw .io(path: path, operation: "lock", reason: errorText(code))
        }
        return fd
    }

    /// The names in `directory`.
    static func list(_ directory: String) throws(RaftStorageError) -> [String] {
        do throws(POSIX.CallFailure) { return try POSIX.list(directory) } catch { throw mapped(error) }
    }
}

/// `open(2)`, reachable from inside `WALFile` whose own `open` shadows it.
private func openFile(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 {
    open(path, flags, mode)
}
