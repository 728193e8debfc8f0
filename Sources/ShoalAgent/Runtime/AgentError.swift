/// Why an agent could not start or keep running. Each message says what to do.
public enum AgentError: Error, Sendable, CustomStringConvertible {
    case stateDirectory(path: String, reason: String)
    case adminSocketInUse(path: String)
    case adminSocketBlocked(path: String, reason: String)
    case bindFailed(what: String, address: String, reason: String)
    case credentials(String)

    public var description: String {
        switch self {
        case .stateDirectory(let path, let reason):
            "cannot use state directory \(path): \(reason) (set --state-dir)"
        case .adminSocketInUse(let path):
            "admin socket \(path) is in use (is another shoal agent running? set --admin-socket)"
        case .adminSocketBlocked(let path, let reason):
            "cannot create admin socket \(path): \(reason) (set --admin-socket)"
        case .bindFailed(let what, let address, let reason):
            "cannot bind \(what) on \(address): \(reason)"
        case .credentials(let message):
            message
        }
    }
}
