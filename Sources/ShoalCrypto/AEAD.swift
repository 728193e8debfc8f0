import CSodium

/// XChaCha20-Poly1305-IETF authenticated encryption with a counter nonce.
///
/// The 24-byte nonce is the 64-bit counter little-endian in the first 8 bytes, the rest zero.
/// A counter must never be reused with the same key; transports use one counter per direction.
public enum AEAD {
    /// Bytes the Poly1305 tag adds to every sealed message.
    public static let tagByteCount = 16

    /// Encrypts and authenticates `plaintext`, also authenticating (not encrypting)
    /// `additionalData`. The result is `plaintext.count + tagByteCount` bytes.
    public static func seal(_ plaintext: [UInt8], key: AEADKey, counter: UInt64, additionalData: [UInt8] = []) -> [UInt8] {
        Sodium.ensureInitialized()
        var out = [UInt8](repeating: 0, count: plaintext.count + tagByteCount)
        var outLength: UInt64 = 0
        let nonce = nonce(counter)
        _ = crypto_aead_xchacha20poly1305_ietf_encrypt(
            &out, &outLength, plaintext, UInt64(plaintext.count),
            additionalData, UInt64(additionalData.count), nil, nonce, key.bytes)
        return out
    }

    /// Decrypts a message sealed with the same key, counter and additional data. Any other key,
    /// counter or additional data, any modified byte, and any input shorter than the tag give
    /// `decryptionFailed`.
    public static func open(_ ciphertext: [UInt8], key: AEADKey, counter: UInt64, additionalData: [UInt8] = []) throws(CryptoError) -> [UInt8] {
        guard ciphertext.count >= tagByteCount else { throw .decryptionFailed }
        Sodium.ensureInitialized()
        var out = [UInt8](repeating: 0, count: ciphertext.count - tagByteCount)
        var outLength: UInt64 = 0
        let nonce = nonce(counter)
        let result = crypto_aead_xchacha20poly1305_ietf_decrypt(
            &out, &outLength, nil, ciphertext, UInt64(ciphertext.count),
            additionalData, UInt64(additionalData.count), nonce, key.bytes)
        guard result == 0 else { throw .decryptionFailed }
        return out
    }

    /// The 24-byte nonce for `counter`.
    static func nonce(_ counter: UInt64) -> [UInt8] {
        var nonce = [UInt8](repeating: 0, count: Int(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES))
        for index in 0..<8 {
            nonce[index] = UInt8(truncatingIfNeeded: counter >> (8 * UInt64(index)))
        }
        return nonce
    }
}
