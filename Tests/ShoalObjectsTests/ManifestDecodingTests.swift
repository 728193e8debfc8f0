import Testing

@testable import ShoalObjects

/// The strict manifest decoder: each hostile input is refused with the error that names it,
/// and limits are checked before anything is allocated.
@Suite("manifest decoder")
struct ManifestDecodingTests {
    static func header(version: UInt8 = 1, length: UInt64, chunkSize: UInt64 = 1_024, count: UInt64) -> [UInt8] {
        var writer = ByteWriter()
        writer.bytes = Array("SHOM".utf8)
        writer.u8(version)
        writer.u64(length)
        writer.u64(chunkSize)
        writer.u64(count)
        return writer.bytes
    }

    static let entry = Fixture.address(1).multihash.bytes

    struct Hostile: CustomTestStringConvertible, Sendable {
        var name: String
        var bytes: [UInt8]
        var error: ObjectFormatError
        var testDescription: String { name }
    }

    static let hostile: [Hostile] = [
        Hostile(name: "no bytes", bytes: [], error: .notAManifest),
        Hostile(name: "another magic", bytes: Array("SHOX".utf8) + header(length: 0, count: 0).dropFirst(4), error: .notAManifest),
        Hostile(name: "a future version", bytes: header(version: 2, length: 0, count: 0), error: .unsupportedManifestVersion(2)),
        Hostile(name: "a chunk size that is no power of two", bytes: header(length: 10, chunkSize: 1_500, count: 1), error: .chunkSizeOutOfRange(1_500)),
        Hostile(name: "a chunk size of 1 GiB", bytes: header(length: 10, chunkSize: 1 << 30, count: 1), error: .chunkSizeOutOfRange(1 << 30)),
        Hostile(
            name: "an absurd chunk count in a tiny input", bytes: header(length: UInt64.max, count: UInt64.max >> 10),
            error: .tooManyChunks(count: UInt64.max >> 10, limit: Manifest.chunkLimit)),
        Hostile(
            name: "a count within the limit but beyond the bytes present", bytes: header(length: 1_000 * 1_024, count: 1_000) + entry,
            error: .truncated(what: "manifest chunk list", needed: 34_000, available: 34)),
        Hostile(
            name: "a count the length does not need", bytes: header(length: 1_024, count: 2) + entry + entry,
            error: .chunkCountMismatch(count: 2, totalLength: 1_024, chunkSize: 1_024)),
        Hostile(name: "a chunk entry with an unknown hash", bytes: header(length: 5, count: 1) + [0x13] + entry.dropFirst(), error: .unknownHashAlgorithm(code: 0x13)),
        Hostile(name: "bytes after the last entry", bytes: header(length: 5, count: 1) + entry + [0], error: .trailingBytes(what: "manifest", count: 1)),
    ]

    @Test("hostile manifests are refused with the reason", arguments: hostile)
    func refused(_ testCase: Hostile) {
        #expect(throws: testCase.error) { try Manifest(decoding: testCase.bytes) }
    }

    @Test("a caller's lower chunk limit is enforced")
    func callerLimit() {
        let bytes = Self.header(length: 2_048, count: 2) + Self.entry + Self.entry
        #expect(throws: ObjectFormatError.tooManyChunks(count: 2, limit: 1)) { try Manifest(decoding: bytes, chunkLimit: 1) }
    }

    @Test("no single flipped bit turns a manifest into another valid manifest with the same id")
    func bitFlips() throws {
        let manifest = Fixture.manifest(chunks: 3, lastSize: 100)
        let bytes = manifest.encoded
        for bit in 0..<bytes.count * 8 {
            var flipped = bytes
            flipped[bit / 8] ^= 1 << UInt8(bit % 8)
            if let decoded = try? Manifest(decoding: flipped) {
                #expect(decoded.id != manifest.id && decoded.encoded == flipped)
            }
        }
    }
}
