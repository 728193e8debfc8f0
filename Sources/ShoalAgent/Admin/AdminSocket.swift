#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The admin socket's file: claimed before the server binds, made 0660 once bound,
/// removed at shutdown.
enum AdminSocket {
    /// Makes `path` free to bind: creates its directory, replaces a stale socket a
    /// killed agent left behind, and refuses a socket a live agent is serving.
    static func claim(_ path: String) throws(AgentError) {
        let directory = parentDirectory(of: path)
        do {
            try POSIX.makeDirectory(directory, mode: 0o755)
        } catch {
            throw .adminSocketBlocked(path: path, reason: "cannot create \(directory): \(POSIX.errorText())")
        }
        switch POSIX.kind(of: path) {
        case .missing:
            return
        case .socket:
            if POSIX.socketAcceptsConnections(path) { throw .adminSocketInUse(path: path) }
            if unlink(path) != 0 {
                throw .adminSocketBlocked(path: path, reason: "cannot remove stale socket: \(POSIX.errorText())")
            }
        case .directory, .other:
            throw .adminSocketBlocked(path: path, reason: "a file that is not a socket is in the way")
        }
    }

    /// Group-writable so that members of the shoal group may use the API, nobody else.
    static func restrict(_ path: String) throws(AgentError) {
        if chmod(path, 0o660) != 0 {
            throw .adminSocketBlocked(path: path, reason: "chmod 0660: \(POSIX.errorText())")
        }
    }

    static func release(_ path: String) {
        if POSIX.kind(of: path) == .socket { unlink(path) }
    }

    static func parentDirectory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let parent = String(path[..<slash])
        return parent.isEmpty ? "/" : parent
    }
}
