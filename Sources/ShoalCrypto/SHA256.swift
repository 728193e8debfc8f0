import CSodium

/// SHA-256 and HMAC-SHA-256 (libsodium): the `HASH` and `HMAC-HASH` of Noise's
/// `…_SHA256` suites (Noise rev 34 §4.3, §12.5).
public enum SHA256 {
    /// SHA-256 digests are 32 bytes.
    public static let byteCount = 32

    /// SHA-256 of the concatenation of `parts`.
    public static func hash(_ parts: [UInt8]...) -> [UInt8] {
        Sodium.ensureInitialized()
        var state = crypto_hash_sha256_state()
        crypto_hash_sha256_init(&state)
        for part in parts { crypto_hash_sha256_update(&state, part, UInt64(part.count)) }
        var out = [UInt8](repeating: 0, count: byteCount)
        crypto_hash_sha256_final(&state, &out)
        return out
    }

    /// HMAC-SHA-256 (RFC 2104) keyed by `key`, of the concatenation of `parts`.
    public static func hmac(key: [UInt8], _ parts: [UInt8]...) -> [UInt8] {
        Sodium.ensureInitialized()
        var state = crypto_auth_hmacsha256_state()
        crypto_auth_hmacsha256_init(&state, key, key.count)
        for part in parts { crypto_auth_hmacsha256_update(&state, part, UInt64(part.count)) }
        var out = [UInt8](repeating: 0, count: byteCount)
        crypto_auth_hmacsha256_final(&state, &out)
        sodium_memzero(&state, MemoryLayout<crypto_auth_hmacsha256_state>.size)
        return out
    }

    /// HKDF as Noise defines it (rev 34 §4.3): two or three 32-byte outputs from the chaining key
    /// and input key material.
    public static func hkdf(chainingKey: [UInt8], inputKeyMaterial: [UInt8], outputs: Int) -> [[UInt8]] {
        precondition((2...3).contains(outputs), "Noise's HKDF gives two or three outputs")
        let tempKey = hmac(key: chainingKey, inputKeyMaterial)
        let first = hmac(key: tempKey, [0x01])
        let second = hmac(key: tempKey, first, [0x02])
        guard outputs == 3 else { return [first, second] }
        return [first, second, hmac(key: tempKey, second, [0x03])]
    }
}
