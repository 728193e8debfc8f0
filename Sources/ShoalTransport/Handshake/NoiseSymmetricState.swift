import ShoalCrypto

/// Noise's CipherState and SymmetricState (rev 34 §5.1, §5.2) for
/// `Noise_XX_25519_ChaChaPoly_SHA256`: the chaining key, the running handshake hash and the
/// handshake cipher. Pure: no I/O, no randomness.
struct NoiseSymmetricState: Sendable {
    /// 32 bytes exactly, so Noise uses the name itself as the initial hash (§5.2).
    static let protocolName = Array("Noise_XX_25519_ChaChaPoly_SHA256".utf8)

    private(set) var chainingKey: [UInt8]
    /// The handshake hash `h`: a commitment to every byte of the handshake so far.
    private(set) var hash: [UInt8]
    private var key: [UInt8]?
    private var nonce: UInt64 = 0

    init() {
        hash = Self.protocolName
        chainingKey = Self.protocolName
    }

    mutating func mixHash(_ data: [UInt8]) {
        hash = SHA256.hash(hash, data)
    }

    mutating func mixKey(_ inputKeyMaterial: [UInt8]) {
        let outputs = SHA256.hkdf(chainingKey: chainingKey, inputKeyMaterial: inputKeyMaterial, outputs: 2)
        chainingKey = outputs[0]
        key = outputs[1]
        nonce = 0
    }

    /// Encrypts under the current key with `h` as additional data (plaintext before any key), then mixes the result into `h`.
    mutating func encryptAndHash(_ plaintext: [UInt8]) -> [UInt8] {
        var ciphertext = plaintext
        if let key {
            ciphertext = ChaChaPolyIETF.seal(plaintext, key: key, counter: nonce, additionalData: hash)
            nonce += 1
        }
        mixHash(ciphertext)
        return ciphertext
    }

    mutating func decryptAndHash(_ ciphertext: [UInt8]) throws(HandshakeError) -> [UInt8] {
        var plaintext = ciphertext
        if let key {
            do {
                plaintext = try ChaChaPolyIETF.open(ciphertext, key: key, counter: nonce, additionalData: hash)
            } catch {
                throw .decryptionFailed
            }
            nonce += 1
        }
        mixHash(ciphertext)
        return plaintext
    }

    /// The two transport keys: initiator to responder, then responder to initiator (§5.2 Split).
    func split() -> (initiatorToResponder: [UInt8], responderToInitiator: [UInt8]) {
        let outputs = SHA256.hkdf(chainingKey: chainingKey, inputKeyMaterial: [], outputs: 2)
        return (outputs[0], outputs[1])
    }
}
