import Crypto
import Foundation
import NIOCore
import Testing

@testable import ShoalTransport

/// The bulk AEAD as frames use it: sealed into the send buffer, opened in place, checked
/// against swift-crypto's own AES-GCM and ChaCha20-Poly1305 as a reference.
@Suite("frame cipher")
struct FrameCipherTests {
    static let key = (0..<32).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
    static let sizes = [0, 1, 4_095, 64 << 10, 1 << 20]

    static func plaintext(_ count: Int) -> Data { Data((0..<count).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 5) }) }

    /// Seals `plaintexts` as successive frames of one direction: the bytes on the wire.
    static func wire(_ kind: BulkCipher.Kind, _ plaintexts: [Data]) -> [UInt8] {
        var sealer = FrameSealer(kind: kind, key: key)
        var buffer = ByteBuffer()
        for plaintext in plaintexts { sealer.seal(plaintext, into: &buffer) }
        return buffer.readBytes(length: buffer.readableBytes)!
    }

    /// Cuts `bytes` into frames the way the connection's reader does, and opens them in order.
    static func open(_ kind: BulkCipher.Kind, _ bytes: [UInt8]) throws(TransportError) -> [Data] {
        var assembler = FrameAssembler(), opener = FrameOpener(kind: kind, key: key), out: [Data] = []
        assembler.feed(ByteBuffer(bytes: bytes))
        while let frame = try assembler.next(limit: 2 << 20, detaching: BulkCipher.nonceByteCount) {
            out.append(try opener.open(nonce: frame.head, sealed: frame.bytes, header: frame.prefix))
        }
        return out
    }

    @Test("frames of every size round-trip, the plaintext starting at index 0", arguments: BulkCipher.Kind.allCases)
    func roundTrip(kind: BulkCipher.Kind) throws {
        let plaintexts = Self.sizes.map(Self.plaintext)
        let opened = try Self.open(kind, Self.wire(kind, plaintexts))
        #expect(opened == plaintexts)
        #expect(opened.allSatisfy { $0.startIndex == 0 })
    }

    @Test("a frame is what swift-crypto seals for the same key, counter nonce and length prefix", arguments: BulkCipher.Kind.allCases)
    func matchesReference(kind: BulkCipher.Kind) throws {
        let plaintexts = [Self.plaintext(1_000), Self.plaintext(70_000)]
        var expected: [UInt8] = []
        for (counter, plaintext) in plaintexts.enumerated() {
            let length = plaintext.count + BulkCipher.overhead
            let prefix = [UInt8(length >> 24 & 0xff), UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff)]
            let nonce = BulkCipher.nonce(UInt64(counter))
            let key = SymmetricKey(data: Self.key)
            let sealed = switch kind {
            case .aes256GCM: try AES.GCM.seal(plaintext, using: key, nonce: AES.GCM.Nonce(data: nonce), authenticating: prefix).combined!
            case .chaCha20Poly1305: try ChaChaPoly.seal(plaintext, using: key, nonce: ChaChaPoly.Nonce(data: nonce), authenticating: prefix).combined
            }
            expected += prefix + Array(sealed)
        }
        #expect(Self.wire(kind, plaintexts) == expected)
    }

    @Test("a flipped bit in the length, nonce, ciphertext or tag is refused with a typed error", arguments: BulkCipher.Kind.allCases)
    func tampering(kind: BulkCipher.Kind) throws {
        let wire = Self.wire(kind, [Self.plaintext(300)])
        // Byte 3 is the length's low byte (the frame then ends early or never: either is refused
        // or yields nothing); 4 the nonce; 20 the ciphertext; the last byte the tag.
        for index in [4, 15, 20, 200, wire.count - 1] {
            var tampered = wire
            tampered[index] ^= 0x01
            #expect(throws: TransportError.self, "byte \(index)") { _ = try Self.open(kind, tampered) }
        }
        var shorter = wire
        shorter[3] ^= 0x01
        #expect((try? Self.open(kind, shorter))?.isEmpty ?? true, "a frame with a changed length opened")
    }

    @Test("a frame replayed, or two frames swapped, is refused", arguments: BulkCipher.Kind.allCases)
    func sequence(kind: BulkCipher.Kind) throws {
        let frame = Self.wire(kind, [Self.plaintext(100)])
        #expect(throws: TransportError.self) { _ = try Self.open(kind, frame + frame) }
        let two = Self.wire(kind, [Self.plaintext(100), Self.plaintext(100)])
        let half = two.count / 2
        #expect(throws: TransportError.self) { _ = try Self.open(kind, Array(two[half...]) + Array(two[..<half])) }
        #expect(try Self.open(kind, two).count == 2)
    }

    @Test("a frame shorter than a tag is refused, not read past its end", arguments: BulkCipher.Kind.allCases)
    func cutShort(kind: BulkCipher.Kind) throws {
        for length in [0, 5, 12, 27] {
            var bytes = [UInt8(0), 0, 0, UInt8(length)]
            bytes += BulkCipher.nonce(0).prefix(length) + [UInt8](repeating: 0, count: max(0, length - 12))
            #expect(throws: TransportError.self, "length \(length)") { _ = try Self.open(kind, bytes) }
        }
    }
}
