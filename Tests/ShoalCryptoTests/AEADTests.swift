import Testing
import ShoalCrypto

@Suite("XChaCha20-Poly1305 AEAD")
struct AEADTests {
    let key = AEADKey.generate()
    let plaintext: [UInt8] = Array("gossip: node-b is suspect".utf8)
    let header: [UInt8] = [1, 2, 3]

    @Test("sealed data opens with the same key, counter and additional data")
    func roundTrip() throws {
        let sealed = AEAD.seal(plaintext, key: key, counter: 42, additionalData: header)
        #expect(sealed.count == plaintext.count + AEAD.tagByteCount)
        #expect(sealed.prefix(plaintext.count).elementsEqual(plaintext) == false)
        #expect(try AEAD.open(sealed, key: key, counter: 42, additionalData: header) == plaintext)
    }

    @Test("any flipped bit in the sealed data is rejected")
    func tamper() {
        let sealed = AEAD.seal(plaintext, key: key, counter: 1)
        for index in sealed.indices {
            var tampered = sealed
            tampered[index] ^= 0x80
            #expect(throws: CryptoError.decryptionFailed) { try AEAD.open(tampered, key: key, counter: 1) }
        }
    }

    @Test("a wrong counter, wrong additional data or wrong key is rejected")
    func wrongParameters() {
        let sealed = AEAD.seal(plaintext, key: key, counter: 7, additionalData: header)
        #expect(throws: CryptoError.decryptionFailed) { try AEAD.open(sealed, key: key, counter: 8, additionalData: header) }
        #expect(throws: CryptoError.decryptionFailed) { try AEAD.open(sealed, key: key, counter: 7, additionalData: [9]) }
        #expect(throws: CryptoError.decryptionFailed) { try AEAD.open(sealed, key: .generate(), counter: 7, additionalData: header) }
    }

    @Test("input shorter than the tag is rejected, not trapped on")
    func shortInput() {
        for length in 0..<AEAD.tagByteCount {
            #expect(throws: CryptoError.decryptionFailed) {
                try AEAD.open([UInt8](repeating: 0, count: length), key: key, counter: 0)
            }
        }
    }

    @Test("an empty plaintext still authenticates")
    func emptyPlaintext() throws {
        let sealed = AEAD.seal([], key: key, counter: 0)
        #expect(try AEAD.open(sealed, key: key, counter: 0) == [])
    }
}
