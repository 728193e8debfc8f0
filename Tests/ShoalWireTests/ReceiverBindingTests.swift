import ShoalCrypto
import Testing

@testable import ShoalWire

/// An envelope names its receiver: its signature covers the receiver's key, which is not sent,
/// so a datagram captured on its way to one node is worthless at any other.
@Suite("receiver-bound envelope")
struct ReceiverBindingTests {
    let fixture = EnvelopeFixture()

    @Test("a datagram sealed for B is accepted by B and refused by C as a bad signature")
    func replayedToAnotherNodeFails() throws {
        let other = SigningKey.generate().publicKey
        let bytes = try fixture.sealed()
        #expect(try fixture.open(bytes).receiver == fixture.receiver)
        #expect(throws: WireError.badSignature) { try Envelope.open(bytes, expecting: fixture.cluster, receiver: other) }
    }

    @Test("binding costs no wire byte: a bound datagram is as long as an unbound one")
    func bindingIsFree() throws {
        let unbound = try Envelope.seal(payload: fixture.payload, clusterID: fixture.cluster, counter: 7, key: fixture.sender)
        let bound = try fixture.sealed()
        #expect(bound.count == unbound.count)
        #expect(bound.count == fixture.payload.count + Envelope.overhead)
    }

    @Test("a datagram whose receiver flag is cleared is refused as unbound, whatever its signature")
    func clearedFlagRefused() throws {
        var cleared = try fixture.sealed()
        cleared[3] &= ~Envelope.receiverBoundFlag
        #expect(throws: WireError.unbound) { try fixture.open(cleared) }
    }

    @Test("an unbound envelope, validly signed, is refused by a datagram receiver")
    func unboundRefused() throws {
        let unbound = try Envelope.seal(payload: fixture.payload, clusterID: fixture.cluster, counter: 7, key: fixture.sender)
        #expect(throws: WireError.unbound) { try fixture.open(unbound) }
    }

    @Test("a reserved flag bit set beside the receiver flag is refused")
    func reservedBitRefused() throws {
        var flagged = try fixture.sealed()
        flagged[3] |= 0x02
        #expect(throws: WireError.reservedFlags(0x03)) { try fixture.open(flagged) }
    }
}
