/// Why a datagram or a stream frame was refused. Every decoder in ShoalWire
/// answers malformed input with one of these and never traps; the agent counts
/// each case in its metrics (`shoal_wire_dropped_total{reason=…}`).
public enum WireError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The bytes end before the field named `field` is complete.
    case truncated(field: String)
    /// The first two bytes are not Shoal's magic: not a Shoal datagram at all.
    case badMagic
    /// A protocol version this agent does not speak.
    case unsupportedVersion(UInt8)
    /// Reserved flag bits are set; a newer peer may be using a feature we lack.
    case reservedFlags(UInt8)
    /// A datagram not bound to its receiver (see `Envelope`): every gossip datagram must be,
    /// so an unbound one is an old peer's, or a stream hello sent where it does not belong.
    case unbound
    /// The datagram belongs to another cluster (another authority).
    case wrongCluster
    /// The datagram or frame is larger than the protocol allows.
    case oversized(size: Int, limit: Int)
    /// The declared payload length disagrees with the bytes present.
    case lengthMismatch(declared: Int, actual: Int)
    /// The sender's signature does not verify: tampered, or re-signed by someone else.
    case badSignature
    /// The counter was seen before or is older than the replay window.
    case replayed(counter: UInt64)
    /// The payload is not a valid schema message.
    case malformedPayload(reason: String)

    /// A short, stable label for metrics.
    public var reason: String {
        switch self {
        case .truncated: "truncated"
        case .badMagic: "bad_magic"
        case .unsupportedVersion: "unsupported_version"
        case .reservedFlags: "reserved_flags"
        case .unbound: "unbound"
        case .wrongCluster: "wrong_cluster"
        case .oversized: "oversized"
        case .lengthMismatch: "length_mismatch"
        case .badSignature: "bad_signature"
        case .replayed: "replayed"
        case .malformedPayload: "malformed_payload"
        }
    }

    public var description: String {
        switch self {
        case .truncated(let field): "truncated message: ends inside \(field)"
        case .badMagic: "not a Shoal message (bad magic)"
        case .unsupportedVersion(let v): "unsupported protocol version \(v) (this agent speaks \(Envelope.version))"
        case .reservedFlags(let f): "reserved flag bits set (0x\(String(f, radix: 16))): is the peer a newer Shoal?"
        case .unbound: "datagram not bound to its receiver (is the peer an older Shoal?)"
        case .wrongCluster: "message from another cluster (different authority)"
        case .oversized(let size, let limit): "message of \(size) bytes exceeds the limit of \(limit)"
        case .lengthMismatch(let declared, let actual): "payload length \(declared) does not match the \(actual) bytes present"
        case .badSignature: "signature does not verify"
        case .replayed(let counter): "replayed or stale counter \(counter)"
        case .malformedPayload(let reason): "malformed payload: \(reason)"
        }
    }
}
