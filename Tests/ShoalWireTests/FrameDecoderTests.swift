import Testing

@testable import ShoalWire

@Suite("stream framing")
struct FrameDecoderTests {
    @Test("frames split at every byte boundary come out whole and in order")
    func everySplit() throws {
        let frames: [[UInt8]] = [[1, 2, 3], [], Array(repeating: 9, count: 300)]
        let stream = try frames.flatMap { try Frame.encode($0) }
        for split in 0...stream.count {
            var decoder = FrameDecoder()
            var out: [[UInt8]] = []
            decoder.feed(stream[0..<split])
            while let frame = try decoder.next() { out.append(frame) }
            decoder.feed(stream[split...])
            while let frame = try decoder.next() { out.append(frame) }
            try decoder.finish()
            #expect(out == frames)
        }
    }

    @Test("a declared length over the limit is refused before its bytes arrive")
    func oversized() throws {
        var decoder = FrameDecoder(maxSize: 1_000)
        decoder.feed([0, 0, 0x10, 0])
        #expect(throws: WireError.oversized(size: 4_096, limit: 1_000)) { try decoder.next() }
    }

    @Test("a stream that ends inside a frame is truncated")
    func truncated() throws {
        var decoder = FrameDecoder()
        decoder.feed(Array(try Frame.encode([1, 2, 3]).dropLast()))
        #expect(try decoder.next() == nil)
        #expect(throws: WireError.truncated(field: "frame")) { try decoder.finish() }
    }
}
