import ShoalCrypto
import Testing

@testable import ShoalTransport

/// The handshake core against the Noise test vectors (cacophony, `Noise_XX_25519_ChaChaPoly_SHA256`):
/// byte-identical messages prove it is Noise XX and not merely something that talks to itself.
@Suite("Noise XX test vector")
struct NoiseVectorTests {
    static func bytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            out.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return out
    }

    let prologue = bytes("4a6f686e2047616c74")
    let initiatorStatic = try! X25519KeyPair(secret: bytes("e61ef9919cde45dd5f82166404bd08e38bceb5dfdfded0a34c8df7ed542214d1"))
    let initiatorEphemeral = try! X25519KeyPair(secret: bytes("893e28b9dc6ca8d611ab664754b8ceb7bac5117349a4439a6b0569da977c464a"))
    let responderStatic = try! X25519KeyPair(secret: bytes("4a3acbfdb163dec651dfa3194dece676d437029c62a408b4c5ea9114246e4893"))
    let responderEphemeral = try! X25519KeyPair(secret: bytes("bbdb4cdbd309f1a1f2e1456967fe288cadd6f712d65dc7b7793d5e63da6b375b"))
    let messages: [(payload: String, ciphertext: String)] = [
        ("4c756477696720766f6e204d69736573", "ca35def5ae56cec33dc2036731ab14896bc4c75dbb07a61f879f8e3afa4c79444c756477696720766f6e204d69736573"),
        ("4d757272617920526f746862617264", "95ebc60d2b1fa672c1f46a8aa265ef51bfe38e7ccb39ec5be34069f14480884381cbad1f276e038c48378ffce2b65285e08d6b68aaa3629a5a8639392490e5b9bd5269c2f1e4f488ed8831161f19b7815528f8982ffe09be9b5c412f8a0db50f8814c7194e83f23dbd8d162c9326ad"),
        ("462e20412e20486179656b", "c7195ffacac1307ff99046f219750fc47693e23c3cb08b89c2af808b444850a80ae475b9df0f169ae80a89be0865b57f58c9fea0d4ec82a286427402f113e4b6ae769a1d95941d49b25030"),
        ("4361726c204d656e676572", "96763ed773f8e47bb3712f0e29b3060ffc956ffc146cee53d5e1df"),
    ]

    @Test("both roles produce and accept the vector's messages, hash and transport keys")
    func vector() throws {
        var initiator = NoiseXX(role: .initiator, prologue: prologue, staticKey: initiatorStatic, ephemeralKey: initiatorEphemeral)
        var responder = NoiseXX(role: .responder, prologue: prologue, staticKey: responderStatic, ephemeralKey: responderEphemeral)
        for (index, message) in messages.prefix(3).enumerated() {
            let payload = Self.bytes(message.payload)
            let written: [UInt8]
            let read: [UInt8]
            if index == 1 {
                written = try responder.writeMessage { _ in payload }
                read = try initiator.readMessage(written).payload
            } else {
                written = try initiator.writeMessage { _ in payload }
                read = try responder.readMessage(written).payload
            }
            #expect(written == Self.bytes(message.ciphertext), "handshake message \(index + 1)")
            #expect(read == payload)
        }
        #expect(initiator.handshakeHash == Self.bytes("c8e5f64e846193be2a834104c2a009868d6c9f3bd3c186299888b488b2f1f58e"))
        #expect(responder.remoteStatic == initiatorStatic.publicKey)
        // The first transport message (the responder's turn), sealed with Noise's own ChaChaPoly under the split key.
        let transport = ChaChaPolyIETF.seal(Self.bytes(messages[3].payload), key: responder.split().send, counter: 0, additionalData: [])
        #expect(transport == Self.bytes(messages[3].ciphertext))
    }
}
