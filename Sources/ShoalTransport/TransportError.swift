/// Why a transport connection or exchange failed, in words an operator can act on.
public enum TransportError: Error, Sendable, CustomStringConvertible {
    /// The TCP connection could not be made.
    case connectFailed(address: String, reason: String)
    /// The handshake was refused (by either side).
    case handshake(HandshakeError)
    /// The peer closed the connection, or said goodbye with a reason.
    case closed(reason: String?)
    /// A frame was malformed, out of sequence, or failed authentication.
    case badFrame(String)
    /// A frame declared more bytes than this side accepts.
    case oversized(size: Int, limit: Int)
    /// A deadline passed.
    case timedOut(String)
    /// This node refused: too many connections in all or to one peer.
    case connectionLimit(String)
    /// The transport is shutting down.
    case shuttingDown
    /// The task that asked gave up (it was cancelled).
    case cancelled

    public var description: String {
        switch self {
        case .connectFailed(let address, let reason): "cannot connect to \(address): \(reason)"
        case .handshake(let error): error.description
        case .closed(let reason?): "peer closed the connection: \(reason)"
        case .closed(nil): "peer closed the connection"
        case .badFrame(let why): "bad frame: \(why)"
        case .oversized(let size, let limit): "frame of \(size) bytes exceeds the limit of \(limit)"
        case .timedOut(let what): "timed out: \(what)"
        case .connectionLimit(let why): "connection refused: \(why)"
        case .shuttingDown: "the transport is shutting down"
        case .cancelled: "cancelled"
        }
    }

    /// A short, fixed label for metrics.
    public var reason: String {
        switch self {
        case .connectFailed: "connect_failed"
        case .handshake(let error): error.reason
        case .closed: "closed"
        case .badFrame: "bad_frame"
        case .oversized: "oversized"
        case .timedOut: "timed_out"
        case .connectionLimit: "connection_limit"
        case .shuttingDown: "shutting_down"
        case .cancelled: "cancelled"
        }
    }
}
