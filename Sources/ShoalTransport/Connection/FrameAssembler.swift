import Foundation
import NIOCore

/// Cuts the received byte stream into frames, `u32 length (big-endian) || bytes`, as buffers
/// arrive in any split. A declared length over the current limit is refused the moment its
/// prefix is read, so a peer cannot make this side buffer more than the limit (before the
/// handshake completes the limit is one handshake message, a few KiB). Received buffers are
/// queued, not merged: each byte is copied once, into the frame it belongs to.
struct FrameAssembler: Sendable {
    /// One frame: its length prefix (authenticated as the frame's additional data), its first
    /// bytes if asked for apart (a sealed frame's nonce), and the rest.
    struct Frame: Sendable {
        var prefix: [UInt8]
        var head: [UInt8]
        var bytes: Data
    }

    private var pending: [ByteBuffer] = []
    private var pendingBytes = 0
    private var frame = Data()
    private var head: [UInt8] = []
    private var expected: Int?
    private var headCount = 0
    private var prefix: [UInt8] = []

    /// Takes the next frame out of what has arrived, or nil when more bytes are needed. Its
    /// first `detaching` bytes (fewer if the frame is shorter) come apart from the rest, so the
    /// rest starts a buffer of its own; `detaching` is read when the frame's prefix arrives.
    mutating func next(limit: Int, detaching: Int = 0) throws(TransportError) -> Frame? {
        if expected == nil {
            guard pendingBytes >= 4 else { return nil }
            prefix = take(4)
            let length = Int(prefix[0]) << 24 | Int(prefix[1]) << 16 | Int(prefix[2]) << 8 | Int(prefix[3])
            guard length <= limit else { throw .oversized(size: length, limit: limit) }
            expected = length
            headCount = min(detaching, length)
            head = []
            frame = Data(capacity: length - headCount)
        }
        if head.count < headCount {
            head += take(min(headCount - head.count, pendingBytes))
            guard head.count == headCount else { return nil }
        }
        let bodyCount = expected! - headCount
        while frame.count < bodyCount, !pending.isEmpty {
            let count = min(bodyCount - frame.count, pending[0].readableBytes)
            pending[0].withUnsafeReadableBytes { raw in
                frame.append(raw.baseAddress!.assumingMemoryBound(to: UInt8.self), count: count)
            }
            consume(count)
        }
        guard frame.count == bodyCount else { return nil }
        expected = nil
        defer {
            frame = Data()
            head = []
        }
        return Frame(prefix: prefix, head: head, bytes: frame)
    }

    /// Queues received bytes.
    mutating func feed(_ buffer: ByteBuffer) {
        guard buffer.readableBytes > 0 else { return }
        pending.append(buffer)
        pendingBytes += buffer.readableBytes
    }

    /// Bytes received but not yet part of a returned frame, the length prefix of a frame still
    /// being assembled included (found by Fuzz/ fuzz-frames).
    var bufferedByteCount: Int { pendingBytes + (expected == nil ? 0 : prefix.count) + head.count + frame.count }

    private mutating func take(_ count: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(count)
        while out.count < count {
            let part = min(count - out.count, pending[0].readableBytes)
            out += pending[0].readBytes(length: part)!
            pendingBytes -= part
            if pending[0].readableBytes == 0 { pending.removeFirst() }
        }
        return out
    }

    private mutating func consume(_ count: Int) {
        pending[0].moveReaderIndex(forwardBy: count)
        pendingBytes -= count
        if pending[0].readableBytes == 0 { pending.removeFirst() }
    }
}
