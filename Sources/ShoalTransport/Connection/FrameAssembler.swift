import Foundation
import NIOCore

/// Cuts the received byte stream into frames, `u32 length (big-endian) || bytes`, as buffers
/// arrive in any split. A declared length over the current limit is refused the moment its
/// prefix is read, so a peer cannot make this side buffer more than the limit (before the
/// handshake completes the limit is one handshake message, a few KiB).
struct FrameAssembler: Sendable {
    private var pending = ByteBuffer()
    private var frame = Data()
    private var expected: Int?
    private var prefix: [UInt8] = []

    /// Takes the next frame out of what has arrived, or nil when more bytes are needed.
    /// Returns the 4-byte prefix too: it is authenticated as the frame's additional data.
    mutating func next(limit: Int) throws(TransportError) -> (prefix: [UInt8], bytes: Data)? {
        if expected == nil {
            guard pending.readableBytes >= 4, let length = pending.readInteger(as: UInt32.self) else { return nil }
            guard Int(length) <= limit else { throw .oversized(size: Int(length), limit: limit) }
            expected = Int(length)
            prefix = [UInt8(length >> 24), UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff)]
            frame = Data()
            frame.reserveCapacity(Int(length))
        }
        let wanted = expected! - frame.count
        let take = min(wanted, pending.readableBytes)
        if take > 0 {
            pending.withUnsafeReadableBytes { raw in frame.append(raw.bindMemory(to: UInt8.self).prefix(take).rebasedForAppend()) }
            pending.moveReaderIndex(forwardBy: take)
        }
        guard frame.count == expected else { return nil }
        expected = nil
        defer { frame = Data() }
        return (prefix, frame)
    }

    /// Appends received bytes.
    mutating func feed(_ buffer: ByteBuffer) {
        if pending.readableBytes == 0 {
            pending = buffer
        } else {
            var copy = buffer
            pending.writeBuffer(&copy)
        }
    }

    /// Bytes received but not yet part of a returned frame.
    var bufferedByteCount: Int { pending.readableBytes + frame.count }
}

extension Slice<UnsafeBufferPointer<UInt8>> {
    fileprivate func rebasedForAppend() -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: self) }
}
