/// Length-prefixed stream framing: each frame is a 4-byte big-endian length and
/// that many bytes. Used for push-pull, chunk transfer and Raft RPC streams,
/// inside the AEAD layer.
public enum Frame {
    /// The default largest frame accepted: a 1 MiB chunk plus headroom.
    public static let defaultMaxSize = 4 << 20

    /// Encodes one frame.
    /// - Throws: `WireError.oversized` when `payload` exceeds `maxSize`.
    public static func encode(_ payload: [UInt8], maxSize: Int = defaultMaxSize) throws(WireError) -> [UInt8] {
        guard payload.count <= maxSize else { throw .oversized(size: payload.count, limit: maxSize) }
        var out: [UInt8] = []
        out.reserveCapacity(4 + payload.count)
        out.appendBigEndian(UInt32(payload.count))
        out.append(contentsOf: payload)
        return out
    }
}

/// Cuts a byte stream into frames as bytes arrive, in any split.
///
/// A declared length over `maxSize` is an error the moment its 4-byte prefix is
/// read, so a peer cannot make the agent buffer an unbounded frame.
public struct FrameDecoder: Sendable {
    public let maxSize: Int
    private var buffer: [UInt8] = []
    private var start = 0

    public init(maxSize: Int = Frame.defaultMaxSize) { self.maxSize = maxSize }

    /// Bytes received but not yet returned as a frame.
    public var pendingByteCount: Int { buffer.count - start }

    /// Appends received bytes.
    public mutating func feed(_ bytes: some Sequence<UInt8>) {
        if start > 0, start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete frame, or nil when more bytes are needed.
    /// - Throws: `WireError.oversized` for a declared length over `maxSize`; the stream must then be closed.
    public mutating func next() throws(WireError) -> [UInt8]? {
        guard pendingByteCount >= 4 else { return nil }
        var length = 0
        for i in 0..<4 { length = length << 8 | Int(buffer[start + i]) }
        guard length <= maxSize else { throw .oversized(size: length, limit: maxSize) }
        guard pendingByteCount >= 4 + length else { return nil }
        let frame = Array(buffer[(start + 4)..<(start + 4 + length)])
        start += 4 + length
        if start > 64 << 10, start * 2 > buffer.count {
            buffer.removeFirst(start)
            start = 0
        }
        return frame
    }

    /// Call at end of stream.
    /// - Throws: `WireError.truncated` if the stream ended inside a frame.
    public func finish() throws(WireError) {
        if pendingByteCount > 0 { throw .truncated(field: "frame") }
    }
}
