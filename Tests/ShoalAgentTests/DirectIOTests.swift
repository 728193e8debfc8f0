import Foundation
import ShoalObjects
import Testing

@testable import ShoalAgent

/// Chunk files bypass the page cache where the file system allows it, and come back exactly.
@Suite("chunk files with O_DIRECT")
struct DirectIOTests {
    /// Whether `directory`'s file system takes O_DIRECT opens.
    static func supportsDirect(_ directory: String) -> Bool {
        let (fd, direct) = DirectIO.open(directory + "/probe", O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        if fd >= 0 { close(fd) }
        unlink(directory + "/probe")
        return direct
    }

    /// How many of the pages of `path` are in the page cache (mincore of a shared mapping).
    static func residentPages(_ path: String) throws -> Int {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        try #require(fd >= 0)
        defer { close(fd) }
        var info = stat()
        try #require(fstat(fd, &info) == 0)
        let size = Int(info.st_size)
        guard size > 0 else { return 0 }
        let mapping = try #require(mmap(nil, size, PROT_READ, MAP_SHARED, fd, 0))
        try #require(mapping != MAP_FAILED)
        defer { munmap(mapping, size) }
        let pages = (size + 4095) / 4096
        var vector = [UInt8](repeating: 0, count: pages)
        try #require(mincore(mapping, size, &vector) == 0)
        return vector.count { $0 & 1 == 1 }
    }

    @Test("a chunk file written and read back through the store leaves none of its pages in the page cache")
    func bypassesPageCache() throws {
        let root = try ChunkStoreFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try #require(Self.supportsDirect(root), "the temporary directory's file system refuses O_DIRECT")
        let files = ChunkFiles(root: root)
        try files.create()
        let bytes = ChunkStoreFixtures.randomBytes(1 << 20)
        let address = ChunkAddress(hashing: bytes)
        _ = try files.write(bytes, for: address)
        #expect(try Self.residentPages(files.path(of: address)) == 0, "the write went through the page cache")
        #expect(try files.read(address, limit: Int.max) == bytes)
        #expect(try Self.residentPages(files.path(of: address)) == 0, "the read went through the page cache")
        // The check itself can fail: a buffered write of the same bytes leaves its pages cached.
        let buffered = root + "/buffered"
        #expect(FileManager.default.createFile(atPath: buffered, contents: Data(bytes)))
        #expect(try Self.residentPages(buffered) > 0)
    }

    @Test("files of every length around the 4096-byte alignment come back byte for byte and exactly as long",
          arguments: [0, 1, 4095, 4096, 4097, 65_536, (1 << 20) + 3])
    func lengths(count: Int) throws {
        let root = try ChunkStoreFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let files = ChunkFiles(root: root)
        try files.create()
        let bytes = ChunkStoreFixtures.randomBytes(count)
        let address = ChunkAddress(hashing: bytes)
        _ = try files.write(bytes, for: address)
        #expect(files.size(of: address) == count)
        #expect(try files.read(address, limit: Int.max) == bytes)
    }

    @Test("I/O buffers are reused: a buffer given back is the next one taken of its size, and no more than the pool's bytes are kept")
    func bufferReuse() throws {
        let pool = DirectIO.BufferPool(keepBytes: 4 * 131_072)
        let first = try #require(pool.take(capacity: 100_000))
        #expect(first.capacity == 131_072 && Int(bitPattern: first.base) % DirectIO.alignment == 0)
        pool.give(first)
        let again = try #require(pool.take(capacity: 70_000))
        #expect(again.base == first.base, "a kept buffer of the same size was not reused")
        let more = (0..<6).compactMap { _ in pool.take(capacity: 131_072) }
        for buffer in more + [again] { pool.give(buffer) }
        #expect(pool.keptCount == 4)
        // The bound holds across sizes: a 64 MiB chunk file's buffer is freed, not kept.
        pool.give(try #require(pool.take(capacity: 64 << 20)))
        #expect(pool.keptCount == 4 && pool.keptBytes == 4 * 131_072)
        #expect(DirectIO.buffers.keepBytes == 16 << 20)
    }
}
