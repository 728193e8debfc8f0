/// Limits and timeouts of the transport. The defaults suit a cluster of up to a few thousand
/// agents; every value bounds what a peer (or a stranger) can make this node hold or do.
public struct TransportConfiguration: Sendable, Equatable {
    /// A handshake not finished by then is dropped (a half-open connection holds a slot no longer).
    public var handshakeTimeout: Duration = .seconds(5)
    /// A TCP connect not answered by then fails.
    public var connectTimeout: Duration = .seconds(2)
    /// A connection with no frame in either direction for this long is closed (pooled ones too).
    public var idleTimeout: Duration = .seconds(60)
    /// The largest frame accepted from a certified peer: a 1 MiB chunk with room to spare.
    public var maximumFrameBytes: Int = 4 << 20
    /// Connections in all, inbound and outbound; more are refused at once.
    public var maximumConnections: Int = 1_024
    /// Inbound connections from one certified peer for one protocol (so one protocol's traffic
    /// cannot starve another's); outbound ones to one address and protocol.
    public var maximumConnectionsPerPeer: Int = 16
    /// Connections still in their handshake; more are closed unread.
    public var maximumPendingHandshakes: Int = 64
    /// Inbound handshakes begun per second; more are closed unread.
    public var maximumHandshakesPerSecond: Int = 256

    public init() {}
}
