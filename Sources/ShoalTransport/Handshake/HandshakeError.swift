/// Why a transport handshake was refused. Every case closes the connection before any
/// application byte is read or sent; `reason` is the metric label it is counted under.
public enum HandshakeError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A handshake message was shorter or longer than its pattern allows.
    case malformed(String)
    /// A handshake message failed authentication: tampered with, replayed into another
    /// handshake, or from a peer of another cluster (the cluster id is in the prologue).
    case decryptionFailed
    /// A peer offered a low-order X25519 key.
    case badKey
    /// The peer's certificate is not valid for this cluster's authority.
    case uncertified(String)
    /// The peer's certificate has expired.
    case expired(name: String)
    /// The peer's signature over the handshake does not verify with its certified key.
    case badSignature
    /// The peer is not the node the caller dialled.
    case unexpectedPeer(expected: String, actual: String)
    /// The initiator asked for a protocol nobody registered.
    case unknownProtocol(String)
    /// A message arrived when the handshake expected none, or in the wrong role.
    case outOfOrder

    /// A short, fixed label for metrics.
    public var reason: String {
        switch self {
        case .malformed: "malformed"
        case .decryptionFailed: "decryption_failed"
        case .badKey: "bad_key"
        case .uncertified: "uncertified"
        case .expired: "expired"
        case .badSignature: "bad_signature"
        case .unexpectedPeer: "unexpected_peer"
        case .unknownProtocol: "unknown_protocol"
        case .outOfOrder: "out_of_order"
        }
    }

    public var description: String {
        switch self {
        case .malformed(let what): "malformed handshake: \(what)"
        case .decryptionFailed: "handshake authentication failed (another cluster, a tampered or replayed message)"
        case .badKey: "peer offered an invalid X25519 key"
        case .uncertified(let why): "peer's certificate is not valid for this cluster: \(why)"
        case .expired(let name): "peer \(name)'s certificate has expired"
        case .badSignature: "peer's handshake signature does not verify"
        case .unexpectedPeer(let expected, let actual): "dialled \(expected) but \(actual) answered"
        case .unknownProtocol(let name): "no handler for protocol '\(name)'"
        case .outOfOrder: "handshake message out of order"
        }
    }
}
