import Foundation
import ShoalCrypto

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

    /// Writes durably: a crash leaves the old or the new number, never a torn file.
    func store(_ value: UInt64) throws(AgentError) {
        do {
            try DurableFile.replace(Array("\(value)\n".utf8), at: path)
        } catch {
            throw .stateDirectory(path: path, reason: error.description)
        }
    }
}
