import CSodium

/// ChaCha20-Poly1305 as RFC 8439 defines it (libsodium's `_ietf_` construction): the cipher
/// of Noise's `…_ChaChaPoly_…` suites. The 96-bit nonce is 32 zero bits followed by the 64-bit
/// counter little-endian (Noise rev 34 §12.3).
public enum ChaChaPolyIETF {
    /// Bytes the Poly1305 tag adds.
    public static let tagByteCount = 16

    /// Encrypts and authenticates `plaintext` and authenticates `additionalData`.
    public static func seal(_ plaintext: [UInt8], key: [UInt8], counter: UInt64, additionalData: [UInt8]) -> [UInt8] {
        precondition(key.count == 32, "ChaCha20-Poly1305 keys are 32 bytes")
        Sodium.ensureInitialized()
        var out = [UInt8](repeating: 0, count: plaintext.count + tagByteCount)
        var outLength: UInt64 = 0
        _ = crypto_aead_chacha20poly1305_ietf_encrypt(
            &out, &outLength, plaintext, UInt64(plaintext.count), additionalData, UInt64(additionalData.count), nil,
            nonce(counter), key)
        return out
    }

    /// Opens what `seal` made with the same key, counter and additional data; anything else
    /// (a flipped bit, a short input, another counter) throws `decryptionFailed`.
    public static func open(_ ciphertext: [UInt8], key: [UInt8], counter: UInt64, additionalData: [UInt8]) throws(CryptoError)
        -> [UInt8]
    {
        precondition(key.count == 32, "ChaCha20-Poly1305 keys are 32 bytes")
        guard ciphertext.count >= tagByteCount else { throw .decryptionFailed }
        Sodium.ensureInitialized()
        var out = [UInt8](repeating: 0, count: ciphertext.count - tagByteCount)
        var outLength: UInt64 = 0
        let result = crypto_aead_chacha20poly1305_ietf_decrypt(
            &out, &outLength, nil, ciphertext, UInt64(ciphertext.count), additionalData, UInt64(additionalData.count),
            nonce(counter), key)
        guard result == 0 else { throw .decryptionFailed }
        return out
    }

    static func nonce(_ counter: UInt64) -> [UInt8] {
        var nonce = [UInt8](repeating: 0, count: 12)
        for index in 0..<8 { nonce[4 + index] = UInt8(truncatingIfNeeded: counter >> (8 * UInt64(index))) }
        return nonce
    }
}
