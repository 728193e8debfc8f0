import CSodium

/// An Ed25519 public key: a node's identity or a cluster authority's verifying key.
public struct PublicKey: Hashable, Sendable, CustomStringConvertible {
    /// Ed25519 public keys are always 32 bytes.
    public static let byteCount = 32

    /// The 32 raw key bytes.
    public let bytes: [UInt8]

    /// Wraps 32 raw bytes; throws `invalidLength` for any other length.
    public init(bytes: [UInt8]) throws(CryptoError) {
        guard bytes.count == Self.byteCount else {
            throw .invalidLength(what: "Ed25519 public key", expected: Self.byteCount, actual: bytes.count)
        }
        self.bytes = bytes
    }

    /// Wraps bytes that libsodium produced, which are 32 bytes by construction.
    init(trusted bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Parses 64 hex characters (either case); throws `invalidEncoding` or `invalidLength`.
    public init(hex: String) throws(CryptoError) {
        try self.init(bytes: Hex.decode(hex, what: "Ed25519 public key"))
    }

    /// The key as 64 lowercase hex characters.
    public var hex: String { Hex.encode(bytes) }

    /// The first 8 bytes as 16 lowercase hex characters: the node id people see (DESIGN "Node identity").
    public var shortID: String { Hex.encode(bytes.prefix(8)) }

    /// The short id, so logs show keys the same way everywhere.
    public var description: String { shortID }

    /// True only if `signature` is a valid Ed25519 signature by this key over exactly `message`.
    public func isValidSignature(_ signature: Signature, for message: UnsafeRawBufferPointer) -> Bool {
        Sodium.ensureInitialized()
        let base = message.baseAddress?.assumingMemoryBound(to: UInt8.self)
        return signature.bytes.withUnsafeBufferPointer { sig in
            bytes.withUnsafeBufferPointer { pk in
                crypto_sign_verify_detached(sig.baseAddress!, base, UInt64(message.count), pk.baseAddress!) == 0
            }
        }
    }

    /// True only if `signature` is a valid Ed25519 signature by this key over exactly `message`.
    public func isValidSignature(_ signature: Signature, for message: [UInt8]) -> Bool {
        message.withUnsafeBytes { isValidSignature(signature, for: $0) }
    }
}
