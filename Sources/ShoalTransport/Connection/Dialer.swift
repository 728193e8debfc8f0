public import NIOCore
import NIOPosix

/// Opens the link under an outbound connection and keeps it open while `use` runs.
public protocol Dialer: Sendable {
    /// Connects to `host:port` within `timeout`, runs `use` with the link, and closes it after.
    func dial(host: String, port: Int, timeout: Duration, _ use: (any Link) async -> Void) async throws
}

/// Dials over TCP with SwiftNIO.
public struct TCPDialer: Dialer {
    /// The local address connections leave from (port chosen by the kernel), or nil for the
    /// kernel's choice. An agent bound to one address dials from it too, so its peers (and a
    /// firewall rule) see the address it gossips from.
    public let source: String?

    public init(source: String? = nil) { self.source = source }

    public func dial(host: String, port: Int, timeout: Duration, _ use: (any Link) async -> Void) async throws {
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            var bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            if let source { bootstrap = bootstrap.bind(to: try SocketAddress(ipAddress: source, port: 0)) }
            channel = try await bootstrap
                .connectTimeout(TimeAmount.nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000))
                .channelOption(.tcpOption(.tcp_nodelay), value: 1)
                .channelOption(.recvAllocator, value: TCPListener.unauthenticatedReads)
                .connect(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<ByteBuffer, ByteBuffer>(
                            wrappingChannelSynchronously: channel, configuration: TCPListener.channelConfiguration)
                    }
                }
        } catch {
            throw TransportError.connectFailed(address: "\(host):\(port)", reason: TCPListener.reason(error))
        }
        try await channel.executeThenClose { inbound, outbound in
            await use(NIOLink(channel: channel.channel, inbound: inbound, outbound: outbound))
        }
    }
}

/// Binds the transport's TCP listener.
public enum TCPListener {
    /// At most 8 reads buffered per connection; NIO stops reading until they are consumed.
    static let channelConfiguration = NIOAsyncChannel<ByteBuffer, ByteBuffer>.Configuration(
        backPressureStrategy: .init(lowWatermark: 2, highWatermark: 8))
    /// Reads before the handshake completes: 4 KiB each, so a peer not yet authenticated can
    /// make this side hold at most 8 buffered reads and the frame being assembled (at most one
    /// handshake message, `TransportHandshake.maximumMessageBytes`): under 40 KiB a connection.
    static let unauthenticatedReads = FixedSizeRecvByteBufferAllocator(capacity: 4_096)
    /// Reads once the peer is authenticated: up to 256 KiB, for bulk frames.
    static let authenticatedReads = AdaptiveRecvByteBufferAllocator(minimum: 4_096, initial: 64 << 10, maximum: 256 << 10)

    /// Binds `host:port` (SO_REUSEADDR only for TIME_WAIT reuse: Linux still refuses a second
    /// listener on a port in use).
    public static func bind(host: String, port: Int) async throws -> NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never> {
        try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 256)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelOption(.recvAllocator, value: unauthenticatedReads)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel, configuration: channelConfiguration)
                }
            }
    }

    static func reason(_ error: any Error) -> String {
        if let io = error as? IOError { return String(cString: strerror(io.errnoCode)) }
        return "\(error)"
    }
}
