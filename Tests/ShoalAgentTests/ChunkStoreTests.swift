import Foundation
import ShoalObjects
import Testing
@testable import ShoalAgent

@Suite("Chunk store: round trip, dedup, corruption, leftovers")
struct ChunkStoreTests {
    @Test("a compressible object round-trips and its chunks are stored zstd-compressed")
    func compressibleRoundTrip() throws {
        let store = try ChunkStore(directory: try ChunkStoreFixtures.temporaryDirectory())
        let bytes = [UInt8](repeating: 7, count: 10_000) + Array("shoal".utf8)
        let manifest = try ChunkStoreFixtures.put(bytes, in: store)
        #expect(try ChunkStoreFixtures.readBack(manifest.id, from: store) == bytes)
        #expect(try manifest.chunks.allSatisfy { try store.storedEncoding(of: $0) == .zstd })
        #expect(try store.storedBytes() < 1_000)
    }

    @Test("random bytes round-trip and are stored raw, since zstd saves less than 10 % on them")
    func incompressibleStoredRaw() throws {
        let store = try ChunkStore(directory: try ChunkStoreFixtures.temporaryDirectory())
        let bytes = ChunkStoreFixtures.randomBytes(9_000)
        let manifest = try ChunkStoreFixtures.put(bytes, in: store)
        #expect(try ChunkStoreFixtures.readBack(manifest.id, from: store) == bytes)
        #expect(try manifest.chunks.allSatisfy { try store.storedEncoding(of: $0) == .raw })
    }

    @Test("a put whose bytes are not the manifest's chunk is refused and leaves nothing behind")
    func mismatchedChunkRefused() throws {
        let root = try ChunkStoreFixtures.temporaryDirectory()
        let store = try ChunkStore(directory: root)
        let (manifest, chunks) = try ChunkStoreFixtures.object(ChunkStoreFixtures.randomBytes(9_000))
        var forged = chunks
        forged[2][0] ^= 1
        #expect(throws: ChunkStoreError.self) { try store.put(manifest, chunks: forged) }
        #expect(try !store.contains(manifest.id) && ChunkStoreFixtures.chunkFileCount(root) == 0)
    }

    @Test("a chunk in two objects is stored once with count 2; deleting one object keeps it")
    func dedup() throws {
        let root = try ChunkStoreFixtures.temporaryDirectory()
        let store = try ChunkStore(directory: root)
        let shared = ChunkStoreFixtures.randomBytes(4096)
        let first = try ChunkStoreFixtures.put(shared + ChunkStoreFixtures.randomBytes(100), in: store)
        let second = try ChunkStoreFixtures.put(shared + ChunkStoreFixtures.randomBytes(200), in: store)
        let address = first.chunks[0]
        #expect(second.chunks[0] == address)
        #expect(try ChunkStoreFixtures.chunkFileCount(root) == 3)
        #expect(try store.referenceCount(of: address) == 2)
        try store.delete(first.id)
        #expect(try store.referenceCount(of: address) == 1)
        #expect(try store.read(chunk: address) == shared)
        try store.delete(second.id)
        #expect(try store.referenceCount(of: address) == 0 && ChunkStoreFixtures.chunkFileCount(root) == 0)
    }

    @Test("a corrupted chunk file is detected on read, deleted and reported; restore mends it")
    func corruptionDetected() throws {
        let root = try ChunkStoreFixtures.temporaryDirectory()
        let store = try ChunkStore(directory: root)
        let bytes = ChunkStoreFixtures.randomBytes(4096)
        let manifest = try ChunkStoreFixtures.put(bytes, in: store)
        let address = manifest.chunks[0]
        let path = ChunkFiles(root: root).path(of: address)
        var file = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        file[100] ^= 0xff
        try Data(file).write(to: URL(fileURLWithPath: path))

        #expect(throws: ChunkStoreError.corruptChunk(address: address, reason: "its bytes do not hash to its address")) {
            try store.read(chunk: address)
        }
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(throws: ChunkStoreError.missingChunk(address: address)) { try store.read(chunk: address) }
        try store.restore(chunk: bytes)
        #expect(try store.read(chunk: address) == bytes)
    }

    @Test("a leftover temporary file and an unindexed chunk file are removed on open and never served")
    func leftoversCleaned() throws {
        let root = try ChunkStoreFixtures.temporaryDirectory()
        _ = try ChunkStore(directory: root)
        let files = ChunkFiles(root: root)
        let leftover = files.temporaryDirectory + "/1234abcd.tmp"
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: leftover))
        let orphan = ChunkStoreFixtures.randomBytes(4096)
        let orphanAddress = ChunkAddress(hashing: orphan)
        _ = try files.write(try ChunkEncoding.encode(orphan, level: 1, minimumSaving: 0.1).bytes, for: orphanAddress)

        let store = try ChunkStore(directory: root)
        #expect(!FileManager.default.fileExists(atPath: leftover))
        #expect(!FileManager.default.fileExists(atPath: files.path(of: orphanAddress)))
        #expect(throws: ChunkStoreError.notFound("chunk \(orphanAddress)")) { try store.read(chunk: orphanAddress) }
    }

    @Test("adds of one chunk at once on one staging (a put's parallel chunks, a get's end-game duplicates) leave no claim behind")
    func concurrentAddsOfOneChunk() async throws {
        let store = try ChunkStore(directory: try ChunkStoreFixtures.temporaryDirectory())
        let bytes = [UInt8](repeating: 3, count: 100_000)
        let (chunks, manifest) = try Chunker.chunks(of: bytes)
        let address = try #require(chunks.first).address
        let staging = store.beginStaging()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 { group.addTask { try? staging.add(chunk: bytes, address: address) } }
        }
        try staging.commit(manifest, pin: .home, factor: 1)
        #expect(store.staged.withLock { $0.isEmpty }, "a staged claim outlived the commit")
        #expect(try store.referenceCount(of: address) == 1)
        #expect(try ChunkStoreFixtures.readBack(manifest.id, from: store) == bytes)
    }
}
