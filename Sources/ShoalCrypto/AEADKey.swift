/// A 256-bit XChaCha20-Poly1305 key.
public struct AEADKey: Sendable {
    /// AEAD keys are always 32 bytes.
    public static let byteCount = 32

    /// The 32 raw key bytes.
    public let bytes: [UInt8]

    /// Wraps 32 raw bytes; throws `invalidLength` for any other length.
    public init(bytes: [UInt8]) throws(CryptoError) {
        guard bytes.count == Self.byteCount else {
            throw .invalidLength(what: "AEAD key", expected: Self.byteCount, actual: bytes.count)
        }
        self.bytes = bytes
    }

    init(trusted bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// A fresh random key from libsodium's CSPRNG.
    public static func generate() -> AEADKey {
        AEADKey(trusted: Sodium.randomBytes(byteCount))
    }
}
