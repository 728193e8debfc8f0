/// A member of a Raft group: 32 raw bytes, the node's Ed25519 public key elsewhere in Shoal
/// (DESIGN "Identity and trust"). The core only compares ids; it never interprets them.
///
/// Stored as four words so that hashing and comparison, which the core does on every message,
/// allocate nothing. Ordering is lexicographic over the bytes, so every node iterates a
/// configuration in the same order and a seeded run replays exactly.
public struct ReplicaID: Hashable, Comparable, Sendable, CustomStringConvertible {
    private let w0: UInt64
    private let w1: UInt64
    private let w2: UInt64
    private let w3: UInt64

    /// Wraps exactly 32 bytes; any other length is not a replica id.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 32 else { return nil }
        func word(_ offset: Int) -> UInt64 {
            var value: UInt64 = 0
            for byte in bytes[offset..<offset + 8] { value = value << 8 | UInt64(byte) }
            return value
        }
        w0 = word(0)
        w1 = word(8)
        w2 = word(16)
        w3 = word(24)
    }

    /// The 32 raw bytes, big-endian per word, exactly as given to `init(bytes:)`.
    public var bytes: [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(32)
        for word in [w0, w1, w2, w3] {
            for shift in stride(from: 56, through: 0, by: -8) { result.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
        }
        return result
    }

    /// The first 8 bytes in lowercase hex, as `shoal members` shows node ids.
    public var description: String {
        let digits = Array("0123456789abcdef")
        return String(bytes.prefix(8).flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0f)]] })
    }

    /// Lexicographic byte order.
    public static func < (lhs: ReplicaID, rhs: ReplicaID) -> Bool {
        (lhs.w0, lhs.w1, lhs.w2, lhs.w3) < (rhs.w0, rhs.w1, rhs.w2, rhs.w3)
    }
}
