import Foundation
import ShoalCrypto

/// `shoal agent --dev`: a single-node cluster with a throwaway identity and
/// authority in a fresh temporary directory, removed when the agent exits.
public struct DevCluster: Sendable {
    public let root: String

    public var stateDirectory: String { root + "/state" }
    public var clusterDirectory: String { root + "/cluster" }

    /// Makes the temporary directory and a new authority in it.
    public static func create() throws(AgentError) -> DevCluster {
        // mkdtemp(3) replaces the trailing six X characters.
        let template = FileManager.default.temporaryDirectory.path + "/shoal-dev-" + String(repeating: "X", count: 6)
        var bytes = Array(template.utf8CString)
        guard let made = mkdtemp(&bytes) else {
            throw .stateDirectory(path: template, reason: POSIX.errorText())
        }
        let dev = DevCluster(root: String(cString: made))
        do {
            _ = try ClusterAuthority.initialize(directory: dev.clusterDirectory)
        } catch {
            throw .credentials("cannot create the dev cluster authority: \(error)")
        }
        return dev
    }

    /// Deletes the directory and everything the agent wrote in it.
    public func remove() {
        try? FileManager.default.removeItem(atPath: root)
    }
}
