import CSodium

/// An X25519 key pair (RFC 7748) for Diffie-Hellman: the `DH` function of the Noise handshake
/// (`Noise_XX_25519_…`, Noise rev 34 §12.1).
///
/// The secret comes from the caller, so a handshake can be replayed from fixed keys in tests
/// (the shell draws fresh ones with `generate()`).
public struct X25519KeyPair: Sendable {
    /// X25519 keys and shared secrets are 32 bytes.
    public static let byteCount = 32

    /// The 32-byte public key.
    public let publicKey: [UInt8]
    private let secretKey: [UInt8]

    /// Derives the public key from a 32-byte secret scalar.
    public init(secret: [UInt8]) throws(CryptoError) {
        guard secret.count == Self.byteCount else {
            throw .invalidLength(what: "X25519 secret key", expected: Self.byteCount, actual: secret.count)
        }
        Sodium.ensureInitialized()
        var pk = [UInt8](repeating: 0, count: Self.byteCount)
        _ = crypto_scalarmult_base(&pk, secret)
        publicKey = pk
        secretKey = secret
    }

    /// A fresh key pair from libsodium's CSPRNG.
    public static func generate() -> X25519KeyPair {
        // A 32-byte secret is always accepted.
        try! X25519KeyPair(secret: Sodium.randomBytes(byteCount))
    }

    /// The shared secret with `peerPublicKey`. Throws `invalidEncoding` for a low-order point,
    /// whose shared secret would be all zero and known to an attacker (RFC 7748 §6.1).
    public func sharedSecret(with peerPublicKey: [UInt8]) throws(CryptoError) -> [UInt8] {
        guard peerPublicKey.count == Self.byteCount else {
            throw .invalidLength(what: "X25519 public key", expected: Self.byteCount, actual: peerPublicKey.count)
        }
        var out = [UInt8](repeating: 0, count: Self.byteCount)
        guard crypto_scalarmult(&out, secretKey, peerPublicKey) == 0 else {
            throw .invalidEncoding(what: "X25519 public key", reason: "a low-order point")
        }
        return out
    }
}
