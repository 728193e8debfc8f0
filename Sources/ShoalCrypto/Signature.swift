/// A detached Ed25519 signature.
public struct Signature: Hashable, Sendable {
    /// Ed25519 signatures are always 64 bytes.
    public static let byteCount = 64

    /// The 64 raw signature bytes.
    public let bytes: [UInt8]

    /// Wraps 64 raw bytes; throws `invalidLength` for any other length.
    public init(bytes: [UInt8]) throws(CryptoError) {
        guard bytes.count == Self.byteCount else {
            throw .invalidLength(what: "Ed25519 signature", expected: Self.byteCount, actual: bytes.count)
        }
        self.bytes = bytes
    }

    /// Wraps bytes that libsodium produced, which are 64 bytes by construction.
    init(trusted bytes: [UInt8]) {
        self.bytes = bytes
    }
}
