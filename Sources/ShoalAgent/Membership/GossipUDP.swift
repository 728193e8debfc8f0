#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOPosix

/// The gossip UDP socket: NIO reads it, and the agent writes to it itself.
///
/// NIO closes a datagram channel on any write error but EMSGSIZE and EHOSTUNREACH, so one EPERM
/// (a firewall rule refusing one destination) took the socket down for every member: the agent
/// reopened it a second later, and meanwhile every send failed, so a node whose sends failed
/// to some members and succeeded to others looked to the core like a node whose own link was
/// down, and accused nobody. Sending with `sendto(2)` on a second descriptor of the same socket
/// (`dup`) fails only the datagram that failed, at once and with its errno, and NIO never sees
/// a write error.
struct GossipUDP: Sendable {
    /// The channel NIO reads datagrams from.
    let channel: any Channel
    /// Where datagrams are written.
    let sender: DatagramSender

    var localAddress: SocketAddress? { channel.localAddress }
    var isActive: Bool { channel.isActive }

    /// Closes the channel and the sending descriptor.
    func close() async throws {
        defer { sender.close() }
        try await channel.close()
    }
}

/// Writes datagrams on its own descriptor of the gossip socket.
final class DatagramSender: Sendable {
    /// What one `send` did.
    enum Outcome: Equatable, Sendable {
        case sent
        /// The socket's send buffer is full: the datagram is dropped, as the network may drop it.
        case bufferFull
        /// The kernel refused it: a local error (EPERM from a firewall, ENETUNREACH, EHOSTUNREACH,
        /// ENETDOWN, ...), which is what the core's `sendFailed` is told of.
        case refused(errno: Int32)
    }

    private let descriptor: CInt
    private let closed = OnceFlag()

    /// Takes ownership of `descriptor` (a `dup` of the channel's).
    init(descriptor: CInt) { self.descriptor = descriptor }

    deinit { close() }

    /// Sends `bytes` to `address` without blocking.
    func send(_ bytes: [UInt8], to address: SocketAddress) -> Outcome {
        guard !closed.isSet else { return .refused(errno: EBADF) }
        let result = bytes.withUnsafeBytes { buffer in
            address.withSockAddr { pointer, length in
                sendto(descriptor, buffer.baseAddress, buffer.count, Int32(MSG_DONTWAIT), pointer, socklen_t(length))
            }
        }
        if result >= 0 { return .sent }
        let code = errno
        return code == EAGAIN || code == EWOULDBLOCK || code == ENOBUFS ? .bufferFull : .refused(errno: code)
    }

    /// Closes the descriptor (once).
    func close() {
        if closed.claim() { _ = Glibc.close(descriptor) }
    }
}
