/// A node's identity: its Ed25519 public key (DESIGN "Identity and trust").
///
/// Ordering is lexicographic over the bytes, so sorted member lists are stable across nodes.
public struct NodeID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The raw public key bytes.
    public let bytes: [UInt8]

    /// Wraps raw key bytes; the core never interprets them beyond equality and ordering.
    public init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The first 8 bytes in lowercase hex: the form people see (`shoal members`).
    public var shortID: String {
        let digits: [Character] = Array("0123456789abcdef")
        var text = ""
        for byte in bytes.prefix(8) {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return text
    }

    /// Same as `shortID`.
    public var description: String { shortID }

    /// Lexicographic byte order.
    public static func < (lhs: NodeID, rhs: NodeID) -> Bool {
        lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
    }

    /// Hashes the 8-byte prefix and the length: ids are public keys, so the prefix is already
    /// uniform and a chosen-prefix collision costs 2^64 key generations per hit.
    public func hash(into hasher: inout Hasher) {
        let count = bytes.count
        hasher.combine(count)
        if count >= 8 {
            hasher.combine(bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        } else {
            hasher.combine(bytes)
        }
    }

    /// Byte-wise equality.
    public static func == (lhs: NodeID, rhs: NodeID) -> Bool {
        lhs.bytes == rhs.bytes
    }
}
