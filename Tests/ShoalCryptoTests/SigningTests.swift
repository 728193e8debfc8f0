import Testing
import ShoalCrypto

@Suite("Ed25519 signatures")
struct SigningTests {
    let message: [UInt8] = Array("join request from node-a".utf8)

    @Test("a signature made by a key verifies under its public key")
    func roundTrip() {
        let key = SigningKey.generate()
        #expect(key.publicKey.isValidSignature(key.sign(message), for: message))
    }

    @Test("flipping any bit of the message makes the signature invalid")
    func flippedMessageBit() {
        let key = SigningKey.generate()
        let signature = key.sign(message)
        for index in message.indices {
            for bit in 0..<8 {
                var tampered = message
                tampered[index] ^= UInt8(1 << bit)
                #expect(!key.publicKey.isValidSignature(signature, for: tampered))
            }
        }
    }

    @Test("flipping any bit of the signature makes it invalid")
    func flippedSignatureBit() throws {
        let key = SigningKey.generate()
        let signature = key.sign(message)
        for index in 0..<Signature.byteCount {
            var bytes = signature.bytes
            bytes[index] ^= 0x01
            #expect(!key.publicKey.isValidSignature(try Signature(bytes: bytes), for: message))
        }
    }

    @Test("a signature by another key does not verify")
    func otherKey() {
        let signer = SigningKey.generate()
        let other = SigningKey.generate()
        #expect(!other.publicKey.isValidSignature(signer.sign(message), for: message))
    }

    @Test("the same seed always gives the same key and signatures")
    func seedDeterminism() throws {
        let seed = [UInt8](repeating: 7, count: 32)
        let first = try SigningKey(seed: seed)
        let second = try SigningKey(seed: seed)
        #expect(first.publicKey == second.publicKey)
        #expect(first.sign(message) == second.sign(message))
        #expect(first.seed == seed)
    }

    @Test("RFC 8032 test vector 1: the all-zero-message key derives the published public key")
    func rfc8032Vector() throws {
        let seed = try PublicKey(hex: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60").bytes
        let key = try SigningKey(seed: seed)
        #expect(key.publicKey.hex == "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
        #expect(key.publicKey.shortID == "d75a980182b10ab7")
        #expect(key.publicKey.description == "d75a980182b10ab7")
    }

    @Test("wrong-length keys, seeds, signatures and bad hex are rejected with typed errors")
    func invalidInput() {
        #expect(throws: CryptoError.invalidLength(what: "Ed25519 public key", expected: 32, actual: 31)) {
            try PublicKey(bytes: [UInt8](repeating: 0, count: 31))
        }
        #expect(throws: CryptoError.invalidLength(what: "Ed25519 seed", expected: 32, actual: 0)) {
            try SigningKey(seed: [])
        }
        #expect(throws: CryptoError.invalidLength(what: "Ed25519 signature", expected: 64, actual: 63)) {
            try Signature(bytes: [UInt8](repeating: 0, count: 63))
        }
        #expect(throws: CryptoError.self) { try PublicKey(hex: String(repeating: "zz", count: 32)) }
        #expect(throws: CryptoError.self) { try PublicKey(hex: "abc") }
    }

    @Test("hex round-trips and is lowercase")
    func hexRoundTrip() throws {
        let key = SigningKey.generate().publicKey
        #expect(try PublicKey(hex: key.hex) == key)
        #expect(try PublicKey(hex: key.hex.uppercased()) == key)
        #expect(key.hex == key.hex.lowercased() && key.hex.count == 64)
    }
}
