import ShoalMembership
import Testing

@testable import ShoalObjects
import ShoalRandom

/// The streaming chunker of a put.
@Suite("chunker")
struct ChunkerTests {
    static let size = try! ChunkSize(bytes: 4_096)
    static let object = Fixture.bytes(10 * 4_096 + 123, seed: 42)

    /// Feeds `bytes` in pieces drawn from `seed`, checking the buffer bound after every piece.
    static func chunkInPieces(_ bytes: [UInt8], seed: UInt64, maximumPiece: Int) throws -> (chunks: [Chunk], manifest: Manifest, maximumBuffered: Int) {
        var rng = SeededGenerator(seed: seed)
        var chunker = Chunker(chunkSize: size)
        var chunks: [Chunk] = []
        var offset = 0
        var maximumBuffered = 0
        while offset < bytes.count {
            let piece = min(Int.random(in: 0...maximumPiece, using: &rng), bytes.count - offset)
            chunks += try chunker.append(Array(bytes[offset..<offset + piece]))
            maximumBuffered = max(maximumBuffered, chunker.bufferedByteCount)
            offset += piece
        }
        let (last, manifest) = try chunker.finish()
        if let last { chunks.append(last) }
        return (chunks, manifest, maximumBuffered)
    }

    @Test("any split of the input gives the same chunks and the same object id", arguments: [UInt64(1), 2, 3, 4, 5])
    func splitIndependence(seed: UInt64) throws {
        let whole = try Chunker.chunks(of: Self.object, chunkSize: Self.size)
        let pieces = try Self.chunkInPieces(Self.object, seed: seed, maximumPiece: seed.isMultiple(of: 2) ? 9_000 : 700)
        #expect(pieces.chunks == whole.chunks && pieces.manifest.id == whole.manifest.id)
    }

    @Test("the chunker never buffers a whole chunk")
    func boundedMemory() throws {
        let run = try Self.chunkInPieces(Self.object, seed: 9, maximumPiece: 3_000)
        #expect(run.maximumBuffered < Self.size.bytes)
    }

    @Test("chunks are fixed-size but the last, in order, and concatenate to the object")
    func layout() throws {
        let (chunks, manifest) = try Chunker.chunks(of: Self.object, chunkSize: Self.size)
        #expect(chunks.map(\.bytes.count) == Array(repeating: 4_096, count: 10) + [123])
        #expect(chunks.map(\.index) == Array(0..<11) && manifest.chunkSizes == chunks.map(\.bytes.count))
        #expect(chunks.flatMap(\.bytes) == Self.object && manifest.totalLength == UInt64(Self.object.count))
    }

    @Test("identical chunks have the same address")
    func dedup() throws {
        let block = Fixture.bytes(4_096, seed: 5)
        let (chunks, manifest) = try Chunker.chunks(of: block + Fixture.bytes(4_096, seed: 6) + block, chunkSize: Self.size)
        #expect(chunks[0].address == chunks[2].address && chunks[0].address != chunks[1].address)
        #expect(Set(manifest.chunks).count == 2)
    }

    @Test("every chunk's address is the hash of its bytes and passes the manifest's verifier")
    func addressesVerify() throws {
        let (chunks, manifest) = try Chunker.chunks(of: Self.object, chunkSize: Self.size)
        for chunk in chunks {
            #expect(chunk.address.isAddress(of: chunk.bytes))
            #expect(throws: Never.self) { try manifest.verify(chunk: chunk.bytes, at: chunk.index) }
        }
    }

    @Test("an empty object has no chunks and a manifest of length 0")
    func empty() throws {
        var chunker = Chunker(chunkSize: Self.size)
        #expect(try chunker.append([]).isEmpty)
        let (last, manifest) = try chunker.finish()
        #expect(last == nil && manifest.chunkCount == 0 && manifest.totalLength == 0)
    }

    @Test("changing one byte changes the object id")
    func idSensitivity() throws {
        var changed = Self.object
        changed[5_000] ^= 0x80
        #expect(try Chunker.chunks(of: changed, chunkSize: Self.size).manifest.id != Chunker.chunks(of: Self.object, chunkSize: Self.size).manifest.id)
    }

    @Test("a put past the chunk limit is refused when the extra chunk is cut")
    func chunkLimit() throws {
        var chunker = Chunker(chunkSize: Self.size, chunkLimit: 2)
        _ = try chunker.append(Fixture.bytes(2 * 4_096, seed: 1))
        #expect(throws: ObjectFormatError.tooManyChunks(count: 3, limit: 2)) { _ = try chunker.append([1]); _ = try chunker.finish() }
    }

    @Test("a chunker told the object's length uses the chunk-size rule")
    func knownLength() {
        #expect(Chunker(objectLength: 10 << 30).chunkSize == ChunkSize.forObject(length: 10 << 30))
    }
}
