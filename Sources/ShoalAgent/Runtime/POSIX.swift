#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Thin, typed wrappers over the few POSIX calls the shell makes directly.
enum POSIX {
    static func errorText(_ code: Int32 = errno) -> String { String(cString: strerror(code)) }

    /// A system call that failed: which, on what, and its errno. The stores map it to their own
    /// typed errors (`RaftStorageError`, `ChunkStoreError`).
    struct CallFailure: Error {
        let operation: Operation
        let path: String
        let code: Int32

        enum Operation: String { case openDirectory = "open directory", list, read, write, fsync }
    }

    /// Writes every byte of `bytes` to `fd`, retrying on EINTR. A partial write is left for the
    /// caller to roll back.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(CallFailure) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                let code = errno
                if code == EINTR { continue }
                throw CallFailure(operation: .write, path: path, code: code)
            }
            offset += written
        }
    }

    /// Up to `count` bytes of `fd` from its start (fewer if the file ends first), retrying on EINTR.
    static func readAll(_ fd: Int32, count: Int, path: String) throws(CallFailure) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var offset = 0
        while offset < count {
            let read = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + offset, count - offset, off_t(offset)) }
            if read < 0 {
                let code = errno
                if code == EINTR { continue }
                throw CallFailure(operation: .read, path: path, code: code)
            }
            if read == 0 { break }
            offset += read
        }
        if offset < count { bytes.removeLast(count - offset) }
        return bytes
    }

    /// Makes creations, renames and removals in `directory` durable.
    static func syncDirectory(_ directory: String) throws(CallFailure) {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw CallFailure(operation: .openDirectory, path: directory, code: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw CallFailure(operation: .fsync, path: directory, code: errno) }
    }

    /// The names in `directory`, without `.` and `..`.
    static func list(_ directory: String) throws(CallFailure) -> [String] {
        guard let handle = opendir(directory) else { throw CallFailure(operation: .list, path: directory, code: errno) }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    enum FileKind { case missing, directory, socket, other }

    static func kind(of path: String) -> FileKind {
        var info = stat()
        guard lstat(path, &info) == 0 else { return .missing }
        switch info.st_mode & S_IFMT {
        case S_IFDIR: return .directory
        case S_IFSOCK: return .socket
        default: return .other
        }
    }

    static func mode(of path: String) -> UInt32? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return UInt32(info.st_mode & 0o7777)
    }

    /// Creates `path` and missing parents; the last component gets `mode`.
    static func makeDirectory(_ path: String, mode: mode_t) throws(AgentError) {
        if kind(of: path) == .directory { return }
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if kind(of: prefix) == .directory { continue }
            if mkdir(prefix, prefix == path || prefix == "./" + path ? mode : 0o755) != 0, errno != EEXIST {
                throw .stateDirectory(path: path, reason: errorText())
            }
        }
    }

    /// Whether something accepts connections on the Unix socket at `path`.
    static func socketAcceptsConnections(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        return result == 0
    }
}

extension POSIX {
    /// The first IPv4 address of an interface that is up and not loopback.
    static func firstNonLoopbackIPv4() -> String? {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0, let first = list else { return nil }
        defer { freeifaddrs(list) }
        var cursor: UnsafeMutablePointer<ifaddrs>? = first
        while let entry = cursor {
            defer { cursor = entry.pointee.ifa_next }
            let flags = Int32(entry.pointee.ifa_flags)
            guard let address = entry.pointee.ifa_addr, address.pointee.sa_family == sa_family_t(AF_INET),
                flags & Int32(IFF_UP) != 0, flags & Int32(IFF_LOOPBACK) == 0
            else { continue }
            var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            let ok = getnameinfo(
                address, socklen_t(MemoryLayout<sockaddr_in>.size), &host, socklen_t(host.count), nil, 0, NI_NUMERICHOST)
            if ok == 0 { return String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) }
        }
        return nil
    }
}
