import ShoalCrypto
import ShoalRandom
import Testing

@testable import ShoalWire

struct EnvelopeFixture {
    let authority = SigningKey.generate()
    let sender = SigningKey.generate()
    let receiver = SigningKey.generate().publicKey
    var cluster: ClusterID { ClusterID(authority: authority.publicKey) }
    let payload: [UInt8] = Array("hello, shoal".utf8)

    /// A datagram from `sender` sealed for `receiver`.
    func sealed(counter: UInt64 = 7) throws -> [UInt8] {
        try Envelope.seal(payload: payload, clusterID: cluster, counter: counter, key: sender, receiver: receiver)
    }

    /// Opens `bytes` as `receiver` does.
    func open(_ bytes: [UInt8], expecting cluster: ClusterID? = nil) throws(WireError) -> Envelope {
        try Envelope.open(bytes, expecting: cluster ?? self.cluster, receiver: receiver)
    }
}

@Suite("signed envelope")
struct EnvelopeTests {
    let fixture = EnvelopeFixture()

    @Test("a sealed envelope opens to the same sender, counter and payload")
    func roundTrip() throws {
        let opened = try fixture.open(try fixture.sealed(counter: 42))
        #expect(
            opened
                == Envelope(
                    clusterID: fixture.cluster, sender: fixture.sender.publicKey, receiver: fixture.receiver, counter: 42,
                    payload: fixture.payload))
    }

    @Test("a tampered payload is rejected as a bad signature")
    func tamperedPayload() throws {
        var bytes = try fixture.sealed()
        bytes[Envelope.headerSize] ^= 0x01
        #expect(throws: WireError.badSignature) { try fixture.open(bytes) }
    }

    @Test("an envelope re-signed by another key under the original sender's id is rejected")
    func reSigned() throws {
        var bytes = try fixture.sealed()
        let signedLength = bytes.count - Signature.byteCount
        let forger = SigningKey.generate()
        let forged = forger.sign(
            Array(bytes[0..<Envelope.headerSize]) + fixture.receiver.bytes + Array(bytes[Envelope.headerSize..<signedLength]))
        bytes.replaceSubrange(signedLength..., with: forged.bytes)
        #expect(throws: WireError.badSignature) { try fixture.open(bytes) }
    }

    @Test("an envelope of another cluster is rejected before its signature is checked")
    func wrongCluster() throws {
        let other = ClusterID(authority: SigningKey.generate().publicKey)
        #expect(throws: WireError.wrongCluster) { try fixture.open(try fixture.sealed(), expecting: other) }
    }

    @Test("every truncation of a valid envelope is rejected without a crash")
    func everyTruncation() throws {
        let bytes = try fixture.sealed()
        for length in 0..<bytes.count {
            #expect(throws: WireError.self) { try fixture.open(Array(bytes[0..<length])) }
        }
    }

    @Test("every single-bit flip of a valid envelope is rejected without a crash")
    func everyBitFlip() throws {
        let bytes = try fixture.sealed()
        for index in bytes.indices {
            for bit in 0..<8 {
                var flipped = bytes
                flipped[index] ^= UInt8(1 << bit)
                #expect(throws: WireError.self) { try fixture.open(flipped) }
            }
        }
    }

    @Test("parse reads the claimed fields without the signature; every bit flip then fails there or at verified()")
    func parseThenVerify() throws {
        let bytes = try fixture.sealed(counter: 42)
        let parsed = try bytes.withUnsafeBytes { raw in
            try Result { () throws(WireError) in try Envelope.parse(raw, expecting: fixture.cluster, receiver: fixture.receiver) }.get()
        }
        #expect(parsed.claimed == (try fixture.open(bytes)))
        #expect(try parsed.verified() == parsed.claimed)
        for index in bytes.indices {
            var flipped = bytes
            flipped[index] ^= 0x10
            let outcome = flipped.withUnsafeBytes { raw in
                Result { () throws(WireError) in
                    try Envelope.parse(raw, expecting: fixture.cluster, receiver: fixture.receiver).verified()
                }
            }
            // The same refusal `open` gives.
            #expect(throws: WireError.self) { try outcome.get() }
            #expect(outcome.map(\.counter) == flipped.withUnsafeBytes { raw in
                Result { () throws(WireError) in try Envelope.open(raw, expecting: fixture.cluster, receiver: fixture.receiver) }
            }.map(\.counter), "byte \(index)")
        }
    }

    @Test("a payload too large for one datagram is refused at sealing")
    func oversizedPayload() {
        let big = [UInt8](repeating: 1, count: Envelope.maxPayloadSize + 1)
        #expect(throws: WireError.oversized(size: Envelope.maxDatagramSize + 1, limit: Envelope.maxDatagramSize)) {
            try Envelope.seal(payload: big, clusterID: fixture.cluster, counter: 1, key: fixture.sender, receiver: fixture.receiver)
        }
    }

    @Test("the largest payload fits in a 1,400-byte datagram")
    func largestPayload() throws {
        let bytes = try Envelope.seal(
            payload: [UInt8](repeating: 1, count: Envelope.maxPayloadSize), clusterID: fixture.cluster, counter: 1,
            key: fixture.sender, receiver: fixture.receiver)
        #expect(bytes.count == Envelope.maxDatagramSize)
    }

    @Test("trailing bytes after the signature are a length mismatch")
    func trailingBytes() throws {
        #expect(throws: WireError.lengthMismatch(declared: fixture.payload.count, actual: fixture.payload.count + 1)) {
            try fixture.open(try fixture.sealed() + [0])
        }
    }

    @Test("random garbage never decodes")
    func garbage() {
        var generator = SeededGenerator(seed: 99)
        for _ in 0..<2_000 {
            let count = Int(generator.next() % 1_500)
            let bytes = (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            #expect(throws: WireError.self) { try fixture.open(bytes) }
        }
    }
}

