import Testing
import ShoalCrypto

@Suite("X25519 key exchange")
struct KeyExchangeTests {
    @Test("client transmit equals server receive and vice versa")
    func crosswise() throws {
        let client = KeyExchangeKeyPair.generate()
        let server = KeyExchangeKeyPair.generate()
        let clientKeys = try client.clientSessionKeys(serverPublicKey: server.publicKey)
        let serverKeys = try server.serverSessionKeys(clientPublicKey: client.publicKey)
        #expect(clientKeys.transmit.bytes == serverKeys.receive.bytes)
        #expect(clientKeys.receive.bytes == serverKeys.transmit.bytes)
        #expect(clientKeys.transmit.bytes != clientKeys.receive.bytes)
        let sealed = AEAD.seal([1, 2, 3], key: clientKeys.transmit, counter: 0)
        #expect(try AEAD.open(sealed, key: serverKeys.receive, counter: 0) == [1, 2, 3])
    }

    @Test("a peer key of the wrong length is rejected")
    func wrongLength() {
        let pair = KeyExchangeKeyPair.generate()
        #expect(throws: CryptoError.self) { try pair.clientSessionKeys(serverPublicKey: [1, 2, 3]) }
        #expect(throws: CryptoError.self) { try pair.serverSessionKeys(clientPublicKey: []) }
    }
}
