#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The small set of POSIX file operations key and certificate files need, with errors mapped to
/// `CryptoError` and writes made atomic and durable.
enum FileSystem {
    /// Contents of a file together with its permission bits.
    struct Contents {
        let bytes: [UInt8]
        let mode: UInt32
        /// The file actually read when `path` was a symbolic link; nil when it was not one.
        let linkTarget: String?
    }

    /// Key and certificate files are tiny; anything larger is not one of ours.
    static let maximumReadSize = 64 * 1024

    static func errorText(_ code: Int32) -> String {
        String(cString: strerror(code))
    }

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// Reads a whole file. A missing file is `keyFileMissing`; anything but a regular file is
    /// `notARegularFile`, found without blocking (opening a FIFO for reading would wait for a
    /// writer for good); a file larger than `maximumReadSize` is `keyFileCorrupt`.
    static func read(_ path: String) throws(CryptoError) -> Contents {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT { throw .keyFileMissing(path: path) }
            throw .fileSystem(path: path, reason: errorText(code))
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw .fileSystem(path: path, reason: errorText(errno))
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw .notARegularFile(path: path, kind: kindName(info.st_mode))
        }
        var linkInfo = stat()
        let isLink = lstat(path, &linkInfo) == 0 && (linkInfo.st_mode & S_IFMT) == S_IFLNK
        var bytes = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .fileSystem(path: path, reason: errorText(errno))
            }
            if count == 0 { break }
            bytes.append(contentsOf: buffer[0..<count])
            if bytes.count > maximumReadSize {
                throw .keyFileCorrupt(path: path, reason: "file is larger than \(maximumReadSize) bytes")
            }
        }
        return Contents(
            bytes: bytes, mode: UInt32(info.st_mode) & 0o7777, linkTarget: isLink ? openedPath(fd) ?? path : nil)
    }

    /// The path of the file open on `fd`, as the kernel knows it (after every link is followed).
    private static func openedPath(_ fd: Int32) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/self/fd/\(fd)", &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// What a non-regular file is, in words for an error message.
    private static func kindName(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFIFO: "a FIFO (named pipe)"
        case S_IFDIR: "a directory"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFSOCK: "a socket"
        default: "a special file"
        }
    }

    /// Writes `bytes` to `path` with permission `mode`, atomically: a temporary file in the same
    /// directory is written, fsynced, then moved into place, and the directory is fsynced.
    /// With `overwrite == false` an existing file is never replaced (`alreadyExists`), even if
    /// it appears between the check and the move, because the move is `link(2)`.
    static func writeAtomically(_ bytes: [UInt8], to path: String, mode: mode_t, overwrite: Bool) throws(CryptoError) {
        if !overwrite && exists(path) { throw .alreadyExists(path: path) }
        let directory = directoryName(of: path)
        let temporary = "\(directory)/.\(baseName(of: path)).tmp-\(Hex.encode(Sodium.randomBytes(8)))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw .fileSystem(path: temporary, reason: errorText(errno)) }
        var committed = false
        defer { if !committed { unlink(temporary) } }
        do throws(CryptoError) {
            // open(2) applies the umask; the requested mode is part of the contract.
            guard fchmod(fd, mode) == 0 else { throw .fileSystem(path: temporary, reason: errorText(errno)) }
            try writeAll(fd, bytes, path: temporary)
            guard fsync(fd) == 0 else { throw .fileSystem(path: temporary, reason: errorText(errno)) }
        } catch {
            close(fd)
            throw error
        }
        guard close(fd) == 0 else { throw .fileSystem(path: temporary, reason: errorText(errno)) }
        if overwrite {
            guard rename(temporary, path) == 0 else { throw .fileSystem(path: path, reason: errorText(errno)) }
        } else {
            guard link(temporary, path) == 0 else {
                let code = errno
                if code == EEXIST { throw .alreadyExists(path: path) }
                throw .fileSystem(path: path, reason: errorText(code))
            }
            unlink(temporary)
        }
        committed = true
        try syncDirectory(directory)
    }

    /// Creates `path` and any missing parents with `mode`; an existing directory is fine.
    static func makeDirectory(_ path: String, mode: mode_t) throws(CryptoError) {
        var info = stat()
        if stat(path, &info) == 0 {
            guard (info.st_mode & S_IFMT) == S_IFDIR else {
                throw .fileSystem(path: path, reason: "exists and is not a directory")
            }
            return
        }
        let parent = directoryName(of: path)
        if parent != path && parent != "." && parent != "/" {
            try makeDirectory(parent, mode: mode)
        }
        if mkdir(path, mode) != 0 && errno != EEXIST {
            throw .fileSystem(path: path, reason: errorText(errno))
        }
    }

    static func directoryName(of path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return "." }
        if slash == trimmed.startIndex { return "/" }
        return String(trimmed[..<slash])
    }

    static func baseName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(CryptoError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw .fileSystem(path: path, reason: errorText(errno))
            }
            offset += written
        }
    }

    private static func syncDirectory(_ directory: String) throws(CryptoError) {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw .fileSystem(path: directory, reason: errorText(errno)) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw .fileSystem(path: directory, reason: errorText(errno)) }
    }
}

/// `read(2)`, reachable from inside `FileSystem` whose own `read` shadows it.
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(fd, buffer, count)
}
