import Testing

@testable import ShoalObjects

/// The chunk-size rule (`ChunkSize.forObject(length:)`): the smallest power of two ≥ 1 MiB with
/// at most 4,000 chunks, capped at 64 MiB.
@Suite("chunk size")
struct ChunkSizeTests {
    static let mib: UInt64 = 1 << 20

    static let table: [(length: UInt64, chunkSize: Int)] = [
        (0, 1 << 20), (1, 1 << 20), (4_000 * mib, 1 << 20), (4_000 * mib + 1, 2 << 20),
        (8_000 * mib, 2 << 20), (100 << 30, 32 << 20), (4_000 * 64 * mib, 64 << 20), (1 << 40, 64 << 20),
    ]

    @Test("object length → chunk size", arguments: table)
    func rule(length: UInt64, expected: Int) {
        #expect(ChunkSize.forObject(length: length).bytes == expected)
    }

    @Test("the rule keeps manifests within 4,000 chunks up to 250 GiB", arguments: [1, 3 << 30, 77 << 30, 4_000 * 64 * mib] as [UInt64])
    func boundedCount(length: UInt64) {
        let size = ChunkSize.forObject(length: length)
        #expect(ChunkSize.chunkCount(totalLength: length, chunkSize: UInt64(size.bytes)) <= ChunkSize.targetChunkCount)
    }

    @Test("a chunk size must be a power of two from 1 KiB to 64 MiB", arguments: [0, 512, 3_000, 1 << 27, .max] as [UInt64])
    func refused(bytes: UInt64) {
        #expect(throws: ObjectFormatError.chunkSizeOutOfRange(bytes)) { try ChunkSize(bytes: bytes) }
    }
}
