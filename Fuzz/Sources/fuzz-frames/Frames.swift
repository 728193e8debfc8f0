// fuzz-frames: stream framing, both implementations: the transport's `FrameAssembler` (what
// every peer connection reads its frames with, before and after the handshake) and ShoalWire's
// `FrameDecoder`, fed the same stream in pieces, each checked against a plain model of
// `u32 length || bytes` framing; then each whole frame read as the transport's `Record`.
//
// Input: limit u8 (the largest frame accepted), head u8 (bytes detached from each frame's
// start, as the nonce is), piece u8 (bytes per feed, 0 meaning 1), then the stream.
import Foundation
import FuzzSupport
import NIOCore
@testable import ShoalTransport
import ShoalWire

@main
enum FuzzFrames {
    static func main() { runLibFuzzer(seeds: seeds(), fuzz) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let limit = Int(input.byte())
    let head = Int(input.byte()) % 32
    let piece = max(1, Int(input.byte()))
    let stream = input.rest()
    let model = FramingModel(stream: stream, limit: limit)
    checkAssembler(stream, limit: limit, head: head, piece: piece, model: model)
    checkDecoder(stream, limit: limit, piece: piece, model: model)
    for frame in model.frames { checkRecord(frame) }
    return 0
}

/// What framing must give: the frames, then either an oversized prefix or `pending` bytes of a
/// frame not yet complete.
struct FramingModel {
    var frames: [[UInt8]] = []
    var oversized: Int?
    var consumed = 0

    init(stream: [UInt8], limit: Int) {
        while stream.count - consumed >= 4 {
            let length = stream[consumed..<consumed + 4].reduce(0) { $0 << 8 | Int($1) }
            if length > limit {
                oversized = length
                return
            }
            guard stream.count - consumed - 4 >= length else { return }
            frames.append(Array(stream[(consumed + 4)..<(consumed + 4 + length)]))
            consumed += 4 + length
        }
    }
}

func checkAssembler(_ stream: [UInt8], limit: Int, head: Int, piece: Int, model: FramingModel) {
    var assembler = FrameAssembler()
    var frames: [[UInt8]] = []
    var fed = 0
    var offset = 0
    var refused: Int?
    feeding: while fed < stream.count {
        let end = min(stream.count, fed + piece)
        assembler.feed(ByteBuffer(bytes: stream[fed..<end]))
        fed = end
        do {
            while let frame = try assembler.next(limit: limit, detaching: head) {
                let length = frame.head.count + frame.bytes.count
                require(offset + 4 + length <= fed && frame.prefix == Array(stream[offset..<offset + 4]),
                        "a frame's prefix is not the bytes it was read from, or it holds bytes not fed yet")
                offset += 4 + length
                require(frame.head.count == min(head, length), "a frame's head is \(frame.head.count) bytes, asked \(head) of \(length)")
                frames.append(frame.head + Array(frame.bytes))
            }
        } catch {
            guard case .oversized(let size, let bound) = error else { fatalError("unexpected assembler error \(error)") }
            require(bound == limit, "oversized against \(bound), not the limit \(limit)")
            refused = size
            break feeding
        }
    }
    require(frames == model.frames, "assembled \(frames.count) frames, the model \(model.frames.count), or their bytes differ")
    require(refused == model.oversized, "assembler refused \(String(describing: refused)), the model \(String(describing: model.oversized))")
    if refused == nil {
        require(assembler.bufferedByteCount == stream.count - model.consumed,
                "bufferedByteCount \(assembler.bufferedByteCount), but \(stream.count - model.consumed) bytes are unreturned")
    }
}

func checkDecoder(_ stream: [UInt8], limit: Int, piece: Int, model: FramingModel) {
    var decoder = FrameDecoder(maxSize: limit)
    var frames: [[UInt8]] = []
    var fed = 0
    var refused: Int?
    feeding: while fed < stream.count {
        let end = min(stream.count, fed + piece)
        decoder.feed(stream[fed..<end])
        fed = end
        do {
            while let frame = try decoder.next() { frames.append(frame) }
        } catch {
            guard case .oversized(let size, let bound) = error, bound == limit else { fatalError("unexpected decoder error \(error)") }
            refused = size
            break feeding
        }
    }
    require(frames == model.frames, "decoded \(frames.count) frames, the model \(model.frames.count), or their bytes differ")
    require(refused == model.oversized, "decoder refused \(String(describing: refused)), the model \(String(describing: model.oversized))")
    guard refused == nil else { return }
    require(decoder.pendingByteCount == stream.count - model.consumed, "pendingByteCount disagrees with the unreturned bytes")
    do {
        try decoder.finish()
        require(decoder.pendingByteCount == 0, "finish accepted a stream that ends inside a frame")
    } catch {
        require(error == .truncated(field: "frame") && decoder.pendingByteCount > 0, "finish refused a whole stream: \(error)")
    }
    // Encoding the frames again gives back the bytes they came from.
    var encoded: [UInt8] = []
    for frame in frames {
        guard let bytes = try? Frame.encode(frame, maxSize: limit) else { fatalError("a decoded frame does not encode") }
        encoded += bytes
    }
    require(encoded == Array(stream.prefix(model.consumed)), "decoded frames encode to other bytes")
}

/// A frame's plaintext as a record: refused with `badFrame`, or a record that encodes back to it.
func checkRecord(_ plain: [UInt8]) {
    do {
        let record = try Record(decoding: Data(plain))
        require(Array(record.encoded()) == plain, "a record does not encode back to its bytes")
    } catch {
        guard case .badFrame = error else { fatalError("a record was refused with \(error), not badFrame") }
    }
}

func seeds() -> [(name: String, bytes: [UInt8])] {
    func framed(_ frames: [[UInt8]]) -> [UInt8] {
        frames.flatMap { frame in (try? Frame.encode(frame, maxSize: 255)) ?? [] }
    }
    let message = Record(kind: .message, header: Data("header".utf8), body: Data("body".utf8)).encoded()
    let goodbye = Record(kind: .goodbye, header: Data("bye".utf8), body: Data()).encoded()
    return [
        ("two-records", [64, 12, 3] + framed([Array(message), Array(goodbye)])),
        ("empty-and-split", [16, 0, 1] + framed([[], [1, 2, 3], Array(repeating: 9, count: 16)])),
        ("oversized", [8, 2, 7] + framed([[1, 2]]) + [0, 0, 1, 0]),
        ("cut-short", [200, 4, 5] + framed([Array(0..<100)]) + [0, 0, 0, 50, 1, 2]),
    ]
}
