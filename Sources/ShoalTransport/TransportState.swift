import Synchronization

/// The transport's bookkeeping, under one lock: handlers, the outbound pool, live connections
/// and the counts every limit is checked against. Nothing in it is held across a suspension.
struct TransportState: Sendable {
    var handlers: [ProtocolName: Transport.Handler] = [:]
    var shuttingDown = false
    /// Idle outbound connections, newest last.
    var idle: [PoolKey: [PeerConnection]] = [:]
    /// Live outbound connections (idle and in use) per address and protocol.
    var outbound: [PoolKey: Int] = [:]
    /// Live inbound connections per certified peer and protocol: a peer's traffic on one
    /// protocol (a flood of forwarded requests) can never leave it without a connection on
    /// another (its Raft messages).
    var inboundPerPeer: [InboundKey: Int] = [:]
    var pendingHandshakes = 0
    var handshakesThisSecond = 0
    var connectionCount = 0
    /// Every established connection, for the idle sweep and shutdown.
    var live: [ObjectIdentifier: Tracked] = [:]

    struct InboundKey: Hashable, Sendable {
        var peer: PublicKeyBytes
        var protocolName: ProtocolName
    }

    struct Tracked: Sendable {
        let connection: PeerConnection
        var lastActivity: UInt64
        var quietSweeps = 0
    }
}

/// The pool's key: where a connection goes and what it speaks.
struct PoolKey: Hashable, Sendable {
    let address: String
    let protocolName: ProtocolName
}

/// A node key as a dictionary key.
typealias PublicKeyBytes = [UInt8]
