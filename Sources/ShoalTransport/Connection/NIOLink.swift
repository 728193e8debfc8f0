import NIOCore

/// A `Link` over a TCP connection's `NIOAsyncChannel`, valid inside its `executeThenClose`.
struct NIOLink: Link {
    let channel: any Channel
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private let iterator: IteratorSlot

    /// Owns the inbound iterator, which is not Sendable; the connection's reader is its only caller.
    actor IteratorSlot {
        var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
        init(_ stream: NIOAsyncChannelInboundStream<ByteBuffer>) { iterator = stream.makeAsyncIterator() }
        func next() async throws -> ByteBuffer? {
            var current = iterator
            defer { iterator = current }
            return try await current.next(isolation: self)
        }
    }

    init(channel: any Channel, inbound: NIOAsyncChannelInboundStream<ByteBuffer>, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>) {
        self.channel = channel
        self.outbound = outbound
        iterator = IteratorSlot(inbound)
    }

    func receive() async throws -> ByteBuffer? {
        try await iterator.next()
    }

    func send(_ buffer: ByteBuffer) async throws {
        try await outbound.write(buffer)
    }

    func close() {
        channel.close(promise: nil)
    }

    /// Reads grow to `TCPListener.authenticatedReads` once the peer is known.
    func authenticated() {
        channel.setOption(ChannelOptions.recvAllocator, value: TCPListener.authenticatedReads).whenComplete { _ in }
    }

    var remoteAddress: String? {
        guard let address = channel.remoteAddress, let ip = address.ipAddress, let port = address.port else { return nil }
        return address.protocol == .inet6 ? "[\(ip)]:\(port)" : "\(ip):\(port)"
    }
}
