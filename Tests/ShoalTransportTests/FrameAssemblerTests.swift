import Foundation
import NIOCore
import Testing

@testable import ShoalTransport

/// The frame assembler reassembles frames from any split of the stream and refuses what is too big.
@Suite("frame assembler")
struct FrameAssemblerTests {
    static let frames: [[UInt8]] = [[], [1], Array(0..<200).map { UInt8($0) }, [UInt8](repeating: 7, count: 5_000)]

    static var stream: [UInt8] {
        var out: [UInt8] = []
        for frame in frames {
            let length = UInt32(frame.count)
            out += [UInt8(length >> 24), UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff)]
            out += frame
        }
        return out
    }

    @Test("frames cut into pieces of any size come out whole and in order", arguments: [1, 2, 3, 5, 64, 4_099, 100_000])
    func anySplit(piece: Int) throws {
        var assembler = FrameAssembler()
        var out: [[UInt8]] = []
        let bytes = Self.stream
        var index = 0
        while index < bytes.count {
            assembler.feed(ByteBuffer(bytes: bytes[index..<min(index + piece, bytes.count)]))
            index += piece
            while let frame = try assembler.next(limit: 1 << 20) { out.append(Array(frame.bytes)) }
        }
        #expect(out == Self.frames)
        #expect(assembler.bufferedByteCount == 0)
    }

    @Test("a frame's first bytes come apart from the rest in any split, the rest starting at index 0", arguments: [1, 2, 3, 5, 4_099])
    func detachedHead(piece: Int) throws {
        var assembler = FrameAssembler()
        var out: [([UInt8], [UInt8])] = []
        let bytes = Self.stream
        var index = 0
        while index < bytes.count {
            assembler.feed(ByteBuffer(bytes: bytes[index..<min(index + piece, bytes.count)]))
            index += piece
            while let frame = try assembler.next(limit: 1 << 20, detaching: 3) {
                #expect(frame.bytes.startIndex == 0)
                out.append((frame.head, Array(frame.bytes)))
            }
        }
        #expect(out.map(\.0) == Self.frames.map { Array($0.prefix(3)) })
        #expect(out.map(\.1) == Self.frames.map { Array($0.dropFirst(3)) })
        #expect(assembler.bufferedByteCount == 0)
    }

    @Test("a frame cut short after its length prefix counts the prefix as buffered")
    func bufferedCountsPrefix() throws {
        // Found by fuzz-frames: the count left out the 4 prefix bytes already read.
        var assembler = FrameAssembler()
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt32(8))
        buffer.writeBytes([1, 2, 3])
        assembler.feed(buffer)
        #expect(try assembler.next(limit: 64, detaching: 2) == nil)
        #expect(assembler.bufferedByteCount == 7)
    }

    @Test("a declared length over the limit is refused as soon as its prefix arrives, even split")
    func oversizedSplitPrefix() throws {
        var assembler = FrameAssembler()
        assembler.feed(ByteBuffer(bytes: [0x00, 0x80]))
        #expect(try assembler.next(limit: 4_096) == nil)
        assembler.feed(ByteBuffer(bytes: [0x00, 0x00]))
        #expect(throws: TransportError.self) { _ = try assembler.next(limit: 4_096) }
    }
}
