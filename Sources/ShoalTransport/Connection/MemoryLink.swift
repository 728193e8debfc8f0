public import NIOCore

/// Two ends of an in-memory byte pipe: what one sends the other receives, in order. Lets the
/// transport and the subsystems above it be driven in tests with no socket and no sleep.
public final class MemoryLink: Link {
    private let inbound: AsyncThrowingStream<ByteBuffer, any Error>
    private let iterator: Slot
    private let outbound: AsyncThrowingStream<ByteBuffer, any Error>.Continuation
    private let ownInbound: AsyncThrowingStream<ByteBuffer, any Error>.Continuation
    public let remoteAddress: String?

    private init(
        inbound: AsyncThrowingStream<ByteBuffer, any Error>, ownInbound: AsyncThrowingStream<ByteBuffer, any Error>.Continuation,
        outbound: AsyncThrowingStream<ByteBuffer, any Error>.Continuation, remoteAddress: String?
    ) {
        self.inbound = inbound
        iterator = Slot(inbound)
        self.ownInbound = ownInbound
        self.outbound = outbound
        self.remoteAddress = remoteAddress
    }

    /// A connected pair: `a` sends to `b` and `b` to `a`.
    public static func pair(aAddress: String? = "127.0.0.1:1", bAddress: String? = "127.0.0.1:2") -> (a: MemoryLink, b: MemoryLink) {
        let (toA, toAContinuation) = AsyncThrowingStream.makeStream(of: ByteBuffer.self)
        let (toB, toBContinuation) = AsyncThrowingStream.makeStream(of: ByteBuffer.self)
        let a = MemoryLink(inbound: toA, ownInbound: toAContinuation, outbound: toBContinuation, remoteAddress: bAddress)
        let b = MemoryLink(inbound: toB, ownInbound: toBContinuation, outbound: toAContinuation, remoteAddress: aAddress)
        return (a, b)
    }

    public func receive() async throws -> ByteBuffer? {
        try await iterator.next()
    }

    /// Owns the inbound iterator, which is not Sendable.
    private actor Slot {
        var iterator: AsyncThrowingStream<ByteBuffer, any Error>.AsyncIterator
        init(_ stream: AsyncThrowingStream<ByteBuffer, any Error>) { iterator = stream.makeAsyncIterator() }
        func next() async throws -> ByteBuffer? {
            var current = iterator
            defer { iterator = current }
            return try await current.next(isolation: self)
        }
    }

    public func send(_ buffer: ByteBuffer) async throws {
        if case .terminated = outbound.yield(buffer) { throw TransportError.closed(reason: nil) }
    }

    public func close() {
        outbound.finish()
        ownInbound.finish()
    }
}
