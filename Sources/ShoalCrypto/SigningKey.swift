import CSodium

/// An Ed25519 secret key. Keeps the 32-byte seed (what key files store) and the expanded
/// 64-byte secret key libsodium signs with.
public struct SigningKey: Sendable {
    /// Ed25519 seeds are 32 bytes.
    public static let seedByteCount = 32

    /// The 32-byte seed; the whole key is derived from it deterministically.
    public let seed: [UInt8]
    private let secretKey: [UInt8]
    /// The public half of this key.
    public let publicKey: PublicKey

    /// A fresh key from libsodium's CSPRNG.
    public static func generate() -> SigningKey {
        SigningKey(checkedSeed: Sodium.randomBytes(seedByteCount))
    }

    /// Derives the key from a 32-byte seed; the same seed always gives the same key.
    public init(seed: [UInt8]) throws(CryptoError) {
        guard seed.count == Self.seedByteCount else {
            throw .invalidLength(what: "Ed25519 seed", expected: Self.seedByteCount, actual: seed.count)
        }
        self.init(checkedSeed: seed)
    }

    /// Derives the key from a seed already known to be 32 bytes.
    private init(checkedSeed seed: [UInt8]) {
        Sodium.ensureInitialized()
        var pk = [UInt8](repeating: 0, count: PublicKey.byteCount)
        var sk = [UInt8](repeating: 0, count: Int(crypto_sign_SECRETKEYBYTES))
        _ = crypto_sign_seed_keypair(&pk, &sk, seed)
        self.seed = seed
        self.secretKey = sk
        self.publicKey = PublicKey(trusted: pk)
    }

    /// A detached Ed25519 signature over exactly `message`.
    public func sign(_ message: UnsafeRawBufferPointer) -> Signature {
        var sig = [UInt8](repeating: 0, count: Signature.byteCount)
        let base = message.baseAddress?.assumingMemoryBound(to: UInt8.self)
        _ = crypto_sign_detached(&sig, nil, base, UInt64(message.count), secretKey)
        return Signature(trusted: sig)
    }

    /// A detached Ed25519 signature over exactly `message`.
    public func sign(_ message: [UInt8]) -> Signature {
        message.withUnsafeBytes { sign($0) }
    }
}
