import Testing
import ShoalCompression

@Suite("Streaming zstd")
struct ZstdStreamingTests {
    /// Splits `data` into pieces of the given odd sizes, cycling through them.
    func chunks(_ data: [UInt8], sizes: [Int]) -> [[UInt8]] {
        var result: [[UInt8]] = []
        var offset = 0
        var index = 0
        while offset < data.count {
            let end = min(data.count, offset + sizes[index % sizes.count])
            result.append(Array(data[offset..<end]))
            offset = end
            index += 1
        }
        return result
    }

    func streamCompress(_ data: [UInt8], sizes: [Int]) throws -> [UInt8] {
        var compressor = try ZstdCompressor()
        var out: [UInt8] = []
        for chunk in chunks(data, sizes: sizes) { out += try compressor.compress(chunk) }
        out += try compressor.finish()
        return out
    }

    func streamDecompress(_ compressed: [UInt8], sizes: [Int], maxOutput: Int) throws -> [UInt8] {
        var decompressor = try ZstdDecompressor(maxOutput: maxOutput)
        var out: [UInt8] = []
        for chunk in chunks(compressed, sizes: sizes) { out += try decompressor.decompress(chunk) }
        try decompressor.finish()
        return out
    }

    @Test("random and repetitive data round-trip through odd-sized chunks")
    func roundTrip() throws {
        for data in [pseudoRandomBytes(count: 700_001), repetitiveBytes(count: 700_001)] {
            let compressed = try streamCompress(data, sizes: [1, 7, 4093, 65_537, 13])
            #expect(try streamDecompress(compressed, sizes: [3, 1, 997, 31], maxOutput: data.count) == data)
            #expect(try Zstd.decompress(compressed, maxSize: data.count) == data)
        }
    }

    @Test("one-shot frames decompress through the streaming decoder")
    func oneShotIntoStreaming() throws {
        let data = repetitiveBytes(count: 123_457)
        #expect(try streamDecompress(try Zstd.compress(data), sizes: [11, 5], maxOutput: data.count) == data)
    }

    @Test("a zstd bomb is stopped at the cap while streaming")
    func bomb() throws {
        var compressor = try ZstdCompressor(level: 1)
        let zeros = [UInt8](repeating: 0, count: 1 << 20)
        var bomb: [UInt8] = []
        for _ in 0..<64 { bomb += try compressor.compress(zeros) }
        bomb += try compressor.finish()
        var decompressor = try ZstdDecompressor(maxOutput: 1 << 20)
        var total = 0
        #expect(throws: CompressionError.exceedsLimit(limit: 1 << 20)) {
            for chunk in chunks(bomb, sizes: [4096]) { total += try decompressor.decompress(chunk).count }
        }
        #expect(total <= 1 << 20)
        #expect(throws: CompressionError.exceedsLimit(limit: 1 << 20)) { try decompressor.finish() }
    }

    @Test("finishing inside a frame reports truncated")
    func truncated() throws {
        let compressed = try Zstd.compress(pseudoRandomBytes(count: 10_000))
        var decompressor = try ZstdDecompressor(maxOutput: 1 << 20)
        _ = try decompressor.decompress(Array(compressed.prefix(compressed.count / 2)))
        #expect(throws: CompressionError.truncated) { try decompressor.finish() }
    }

    @Test("garbage fed to the stream is corrupt")
    func garbage() throws {
        var decompressor = try ZstdDecompressor(maxOutput: 1 << 20)
        #expect {
            try decompressor.decompress(pseudoRandomBytes(count: 64))
        } throws: { error in
            guard case .corrupt = error as? CompressionError else { return false }
            return true
        }
    }
}
