public import NIOCore

/// The bytes under one connection: what arrives, a way to send, a way to hang up. The
/// transport runs the same handshake and framing over a TCP socket (`NIOLink`) and over an
/// in-memory pipe (`MemoryLink`, for tests without sockets).
public protocol Link: Sendable {
    /// The next bytes the peer sent; nil once it has closed its side.
    func receive() async throws -> ByteBuffer?
    /// Sends `buffer`; suspends while the peer is slow to read (backpressure).
    func send(_ buffer: ByteBuffer) async throws
    /// Closes both directions; pending and later calls fail or end.
    func close()
    /// Where the peer is, for logs and for membership (its `ip:port`), if known.
    var remoteAddress: String? { get }
    /// Called once the handshake has authenticated the peer: a link may then read in larger
    /// pieces (before it, a stranger must not be able to make this side hold more than a few KiB).
    func authenticated()
}

extension Link {
    /// Links without a read size (in-memory ones) have nothing to change.
    public func authenticated() {}
}
