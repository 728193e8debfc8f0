import Foundation
import NIOCore

/// Cuts the received byte stream into frames, `u32 length (big-endian) || bytes`, as buffers
/// arrive in any split. A declared length over the current limit is refused the moment its
/// prefix is read, so a peer cannot make this side buffer more than the limit (before the
/// handshake completes the limit is one handshake message, a few KiB). Received buffers are
/// queued, not merged: each byte is copied once, into the frame it belongs to.
struct FrameAssembler: Sendable {
    private var pending: [ByteBuffer] = []
    private var pendingBytes = 0
    private var frame = Data()
    private var expected: Int?
    private var prefix: [UInt8] = []

    /// Takes the next frame out of what has arrived, or nil when more bytes are needed.
    /// Returns the 4-byte prefix too: it is authenticated as the frame's additional data.
    mutating func next(limit: Int) throws(TransportError) -> (prefix: [UInt8], bytes: Data)? {
        if expected == nil {
            guard pendingBytes >= 4 else { return nil }
            prefix = take(4)
            let length = Int(prefix[0]) << 24 | Int(prefix[1]) << 16 | Int(prefix[2]) << 8 | Int(prefix[3])
            guard length <= limit else { throw .oversized(size: length, limit: limit) }
            expected = length
            frame = Data(capacity: length)
        }
        while frame.count < expected!, !pending.isEmpty {
            let count = min(expected! - frame.count, pending[0].readableBytes)
            pending[0].withUnsafeReadableBytes { raw in
                frame.append(raw.baseAddress!.assumingMemoryBound(to: UInt8.self), count: count)
            }
            consume(count)
        }
        guard frame.count == expected else { return nil }
        expected = nil
        defer { frame = Data() }
        return (prefix, frame)
    }

    /// Queues received bytes.
    mutating func feed(_ buffer: ByteBuffer) {
        guard buffer.readableBytes > 0 else { return }
        pending.append(buffer)
        pendingBytes += buffer.readableBytes
    }

    /// Bytes received but not yet part of a returned frame.
    var bufferedByteCount: Int { pendingBytes + frame.count }

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
