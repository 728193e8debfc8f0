import Testing

@testable import ShoalObjects

/// The manifest's canonical encoding, its id and its verifier.
@Suite("manifest")
struct ManifestTests {
    static let manifest = try! Chunker.chunks(of: Fixture.bytes(3 * 1_024 + 10, seed: 8), chunkSize: Fixture.kib).manifest

    @Test("the encoding is SHOM, version 1, big-endian length, chunk size and count, then multihashes")
    func layout() {
        let bytes = Self.manifest.encoded
        let header: [UInt8] = Array("SHOM".utf8) + [1] + [0, 0, 0, 0, 0, 0, 0x0c, 0x0a] + [0, 0, 0, 0, 0, 0, 0x04, 0x00] + [0, 0, 0, 0, 0, 0, 0, 4]
        #expect(Array(bytes.prefix(29)) == header && bytes.count == 29 + 4 * 34)
        #expect(Array(bytes[29..<63]) == Self.manifest.chunks[0].multihash.bytes)
    }

    @Test("the object id is the sha2-256 multihash of the canonical bytes")
    func id() {
        #expect(Self.manifest.id == ObjectID(Multihash(hashing: Self.manifest.encoded)))
    }

    @Test("decoding the canonical bytes gives the same manifest and id")
    func roundTrip() throws {
        #expect(try Manifest(decoding: Self.manifest.encoded) == Self.manifest)
    }

    @Test("every truncation of a manifest is refused")
    func truncations() {
        let bytes = Self.manifest.encoded
        for length in 0..<bytes.count {
            #expect(throws: ObjectFormatError.self) { try Manifest(decoding: Array(bytes.prefix(length))) }
        }
    }

    @Test("a manifest whose count disagrees with its length and chunk size is not constructed")
    func constructorChecksCount() {
        #expect(throws: ObjectFormatError.chunkCountMismatch(count: 1, totalLength: 2_048, chunkSize: 1_024)) {
            try Manifest(totalLength: 2_048, chunkSize: Fixture.kib, chunks: [Fixture.address(0)])
        }
    }

    @Test("the verifier refuses a chunk of the wrong size before hashing, and a corrupted one by hash")
    func verifier() throws {
        let object = Fixture.bytes(2_048, seed: 4)
        let (chunks, manifest) = try Chunker.chunks(of: object, chunkSize: Fixture.kib)
        var corrupted = chunks[1].bytes
        corrupted[0] ^= 1
        #expect(throws: ObjectFormatError.chunkSizeMismatch(index: 0, expected: 1_024, actual: 1_023)) {
            try manifest.verify(chunk: Array(chunks[0].bytes.dropLast()), at: 0)
        }
        #expect(throws: ObjectFormatError.chunkHashMismatch(index: 1, address: chunks[1].address.description)) {
            try manifest.verify(chunk: corrupted, at: 1)
        }
        #expect(throws: ObjectFormatError.chunkIndexOutOfRange(index: 2, count: 2)) { try manifest.verify(chunk: [], at: 2) }
    }
}
