import Foundation

/// The node's incarnation number, kept across restarts so that a restarted node
/// always speaks with a higher incarnation than its previous life (SWIM §4.2).
struct IncarnationStore: Sendable {
    let path: String

    init(stateDirectory: String) { path = stateDirectory + "/incarnation" }

    /// The stored incarnation, 0 when none was stored yet.
    func load() throws(AgentError) -> UInt64 {
        guard FileManager.default.fileExists(atPath: path) else { return 0 }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
            let value = UInt64(text.trimmingCharacters(in: .whitespacesAndNewlines))
        else {
            throw .stateDirectory(path: path, reason: "the incarnation file is corrupt; delete it to start from 0")
        }
        return value
    }

    /// Writes atomically and durably: temp file, fsync, rename, fsync of the directory.
    func store(_ value: UInt64) throws(AgentError) {
        let temporary = path + ".tmp"
        let bytes = Array("\(value)\n".utf8)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .stateDirectory(path: temporary, reason: POSIX.errorText()) }
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd)
        close(fd)
        guard written == bytes.count, synced == 0, rename(temporary, path) == 0 else {
            throw .stateDirectory(path: path, reason: POSIX.errorText())
        }
        let directory = open(AdminSocket.parentDirectory(of: path), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directory >= 0 {
            fsync(directory)
            close(directory)
        }
    }
}
