import Testing

@testable import ShoalObjects

/// multiformats multihash: `varint code ‖ varint length ‖ digest`.
@Suite("multihash")
struct MultihashTests {
    @Test("a chunk address is sha2-256 as a multihash: 0x12, 0x20, then the FIPS 180-2 digest")
    func sha256Vector() {
        let address = ChunkAddress(hashing: Array("abc".utf8))
        #expect(address.description == "1220ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test("the binary form decodes back to the same multihash")
    func roundTrip() throws {
        let hash = Multihash(hashing: Fixture.bytes(100, seed: 1))
        #expect(try Multihash(bytes: hash.bytes) == hash)
    }

    struct Hostile: CustomTestStringConvertible, Sendable {
        var name: String
        var bytes: [UInt8]
        var error: ObjectFormatError
        var testDescription: String { name }
    }

    static let digest = [UInt8](repeating: 7, count: 32)
    static let hostile: [Hostile] = [
        Hostile(name: "empty input", bytes: [], error: .truncated(what: "multihash code", needed: 1, available: 0)),
        Hostile(name: "an unknown hash code", bytes: [0x13, 0x20] + digest, error: .unknownHashAlgorithm(code: 0x13)),
        Hostile(name: "blake2b-256 (0xb220) is not accepted until it is a case", bytes: [0xa0, 0xe4, 0x02, 0x20] + digest, error: .unknownHashAlgorithm(code: 0xb220)),
        Hostile(name: "a length that is not the algorithm's", bytes: [0x12, 0x10] + digest.prefix(16), error: .digestLength(algorithm: "sha2-256", expected: 32, actual: 16)),
        Hostile(name: "a digest cut short", bytes: [0x12, 0x20] + digest.prefix(31), error: .truncated(what: "multihash digest", needed: 32, available: 31)),
        Hostile(name: "a non-minimal varint code (0x92 0x00 for 0x12)", bytes: [0x92, 0x00, 0x20] + digest, error: .malformedVarint(what: "multihash code")),
        Hostile(name: "a varint longer than nine bytes", bytes: [UInt8](repeating: 0xff, count: 10), error: .malformedVarint(what: "multihash code")),
        Hostile(name: "bytes after the digest", bytes: [0x12, 0x20] + digest + [0], error: .trailingBytes(what: "multihash", count: 1)),
    ]

    @Test("malformed multihashes are refused with the reason", arguments: hostile)
    func refused(_ testCase: Hostile) {
        #expect(throws: testCase.error) { try Multihash(bytes: testCase.bytes) }
    }

    @Test("the verifier accepts the chunk's own bytes and nothing else")
    func verifier() {
        let bytes = Fixture.bytes(4_096, seed: 3)
        let address = ChunkAddress(hashing: bytes)
        var flipped = bytes
        flipped[2_000] ^= 1
        #expect(address.isAddress(of: bytes) && !address.isAddress(of: flipped))
    }
}
