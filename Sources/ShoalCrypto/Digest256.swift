/// A 32-byte BLAKE2b-256 digest: a chunk address or a fingerprint.
public struct Digest256: Hashable, Sendable, CustomStringConvertible {
    /// BLAKE2b-256 digests are always 32 bytes.
    public static let byteCount = 32

    /// The 32 raw digest bytes.
    public let bytes: [UInt8]

    /// Wraps 32 raw bytes; throws `invalidLength` for any other length.
    public init(bytes: [UInt8]) throws(CryptoError) {
        guard bytes.count == Self.byteCount else {
            throw .invalidLength(what: "BLAKE2b-256 digest", expected: Self.byteCount, actual: bytes.count)
        }
        self.bytes = bytes
    }

    /// Parses 64 hex characters (either case).
    public init(hex: String) throws(CryptoError) {
        try self.init(bytes: Hex.decode(hex, what: "BLAKE2b-256 digest"))
    }

    init(trusted bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The digest as 64 lowercase hex characters.
    public var hex: String { Hex.encode(bytes) }

    /// The full lowercase hex digest.
    public var description: String { hex }
}
