import Testing
import ShoalCompression

@Suite("One-shot zstd")
struct ZstdTests {
    @Test("random and repetitive data round-trip", arguments: [0, 1, 1000, 300_000])
    func roundTrip(count: Int) throws {
        for data in [pseudoRandomBytes(count: count), repetitiveBytes(count: count)] {
            let compressed = try Zstd.compress(data)
            #expect(try Zstd.decompress(compressed, maxSize: count) == data)
        }
    }

    @Test("repetitive data compresses to a small fraction of its size")
    func ratio() throws {
        let data = repetitiveBytes(count: 1 << 20)
        let compressed = try Zstd.compress(data)
        #expect(compressed.count * 50 < data.count)
    }

    @Test("a zstd bomb (64 MiB of zeros) is stopped at a 1 MiB cap")
    func bomb() throws {
        let bomb = try Zstd.compress([UInt8](repeating: 0, count: 64 << 20), level: 1)
        #expect(throws: CompressionError.exceedsLimit(limit: 1 << 20)) {
            try Zstd.decompress(bomb, maxSize: 1 << 20)
        }
    }

    @Test("output of exactly the cap is allowed, one byte more is not")
    func capBoundary() throws {
        let data = pseudoRandomBytes(count: 4096)
        let compressed = try Zstd.compress(data)
        #expect(try Zstd.decompress(compressed, maxSize: 4096) == data)
        #expect(throws: CompressionError.exceedsLimit(limit: 4095)) { try Zstd.decompress(compressed, maxSize: 4095) }
    }

    @Test("every truncation of a frame is reported as truncated or corrupt, never a short result")
    func truncated() throws {
        let compressed = try Zstd.compress(repetitiveBytes(count: 5000))
        #expect(throws: CompressionError.truncated) { try Zstd.decompress([UInt8](), maxSize: 1 << 20) }
        #expect(throws: CompressionError.truncated) { try Zstd.decompress(Array(compressed.dropLast()), maxSize: 1 << 20) }
        for length in 0..<compressed.count {
            #expect(throws: CompressionError.self) { try Zstd.decompress(Array(compressed.prefix(length)), maxSize: 1 << 20) }
        }
    }

    @Test("garbage input is corrupt")
    func garbage() {
        #expect {
            try Zstd.decompress(Array("this is not a zstd frame at all".utf8), maxSize: 1 << 20)
        } throws: { error in
            guard case .corrupt(let reason) = error as? CompressionError else { return false }
            return !reason.isEmpty
        }
    }

    @Test("concatenated frames decompress to the concatenated data")
    func concatenatedFrames() throws {
        let a = repetitiveBytes(count: 700)
        let b = pseudoRandomBytes(count: 300)
        let both = try Zstd.compress(a) + Zstd.compress(b)
        #expect(try Zstd.decompress(both, maxSize: 1000) == a + b)
    }

    @Test("levels outside zstd's range are rejected")
    func invalidLevel() {
        #expect(throws: CompressionError.invalidLevel(23)) { try Zstd.compress([1, 2, 3], level: 23) }
        #expect(throws: CompressionError.invalidLevel(Int.min)) { _ = try ZstdCompressor(level: Int.min) }
    }
}
