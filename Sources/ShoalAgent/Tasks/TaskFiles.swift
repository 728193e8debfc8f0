import Foundation
import NIOCore
import ShoalObjects
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Why an attempt could not run or finish, in words for `shoal task ID`.
struct AttemptFailure: Error, CustomStringConvertible {
    let description: String
}

/// Files of an attempt's directory, read and written so that a task cannot make the agent
/// touch anything outside it: paths are resolved and checked to stay inside, the last
/// component is never followed as a symlink, and only regular files are read.
enum TaskFiles {
    /// Makes `directory` (0700) exist and be empty: created if missing, else emptied of what
    /// an earlier attempt left (a directory kept, not made again, spares the file system an
    /// inode for every attempt).
    static func prepare(_ directory: String) throws(AttemptFailure) {
        if let entries = try? FileManager.default.contentsOfDirectory(atPath: directory) {
            for entry in entries { try? FileManager.default.removeItem(atPath: directory + "/" + entry) }
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw AttemptFailure(description: "could not create the attempt's directory \(directory): \(error.localizedDescription)")
        }
    }

    static func remove(_ directory: String) {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Replaces the contents of the file at `path` (created 0600 if missing) with `text`.
    static func overwrite(_ path: String, with text: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        defer { close(fd) }
        try? write(Array(text.utf8), to: fd, name: path)
    }

    /// Opens `name` (relative, already validated) under `directory` for a new file, creating
    /// its parent directories.
    static func create(_ name: String, in directory: String) throws(AttemptFailure) -> Int32 {
        let path = directory + "/" + name
        let parent = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        } catch {
            throw AttemptFailure(description: "input \(name): could not create its directory: \(error.localizedDescription)")
        }
        try checkInside(parent, directory: directory, name: name)
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw AttemptFailure(description: "input \(name): \(String(cString: strerror(errno)))") }
        return fd
    }

    /// Opens the output `name` for reading: a regular file inside `directory`, else a failure
    /// saying what it is instead.
    static func openOutput(_ name: String, in directory: String) throws(AttemptFailure) -> (fd: Int32, length: UInt64) {
        let path = directory + "/" + name
        var entry = stat()
        guard lstat(path, &entry) == 0 else { throw AttemptFailure(description: "output \(name) was not written") }
        try checkInside((path as NSString).deletingLastPathComponent, directory: directory, name: name)
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else {
            let reason = errno == ELOOP ? "is a symbolic link; outputs must be regular files inside the task's directory" : String(cString: strerror(errno))
            throw AttemptFailure(description: "output \(name) \(reason)")
        }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw AttemptFailure(description: "output \(name) is not a regular file")
        }
        return (fd, UInt64(info.st_size))
    }

    /// Fails unless `path` resolves to `directory` or a place under it (a parent made a
    /// symlink to elsewhere does not).
    private static func checkInside(_ path: String, directory: String, name: String) throws(AttemptFailure) {
        guard let resolved = realpath(path, nil), let root = realpath(directory, nil) else {
            throw AttemptFailure(description: "\(name): its directory cannot be resolved")
        }
        defer {
            free(resolved)
            free(root)
        }
        let inside = String(cString: resolved), top = String(cString: root)
        guard inside == top || inside.hasPrefix(top + "/") else {
            throw AttemptFailure(description: "\(name) leads outside the task's directory (to \(inside)); a task may only use its own directory")
        }
    }

    /// Writes all of `bytes` to `fd`.
    static func write(_ bytes: [UInt8], to fd: Int32, name: String) throws(AttemptFailure) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw AttemptFailure(description: "input \(name): \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }
}

/// The directories attempts run in: `<tasks>/slot-N`, each holding `work/` (the task's
/// directory), `stdout`, `stderr` and `attempt` (which attempt runs there, its pid and start
/// time). A slot is reused by the next attempt, emptied first, so starting a task creates no
/// directory and no file that an earlier one did not leave.
final class TaskSlots: Sendable {
    let root: String
    private let free = Mutex<(unused: [Int], next: Int)>(([], 0))

    init(root: String) {
        self.root = root
    }

    /// A free slot's directory.
    func acquire() -> String {
        let slot = free.withLock { state -> Int in
            if let slot = state.unused.popLast() { return slot }
            defer { state.next += 1 }
            return state.next
        }
        return path(slot)
    }

    /// Gives the slot at `directory` back.
    func release(_ directory: String) {
        guard let slot = Int(directory.dropFirst(root.count + "/slot-".count)) else { return }
        free.withLock { $0.unused.append(slot) }
    }

    func path(_ slot: Int) -> String { root + "/slot-\(slot)" }
}

/// A file's bytes as the object put reads a request body: 1 MiB buffers from a descriptor
/// (the caller closes it).
struct FileChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let fd: Int32

    struct AsyncIterator: AsyncIteratorProtocol {
        let fd: Int32
        var done = false

        mutating func next() async throws -> ByteBuffer? {
            guard !done else { return nil }
            var buffer = ByteBuffer()
            let count = try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 1 << 20) { raw in
                while true {
                    let got = read(fd, raw.baseAddress, 1 << 20)
                    if got < 0, errno == EINTR { continue }
                    if got < 0 { throw AttemptFailure(description: String(cString: strerror(errno))) }
                    return got
                }
            }
            if count == 0 {
                done = true
                return nil
            }
            return buffer
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(fd: fd) }
}
