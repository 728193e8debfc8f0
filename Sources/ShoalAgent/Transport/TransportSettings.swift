import ShoalTransport

/// The `transport:` section of shoal.yaml: the peer transport's limits and timeouts
/// (`TransportConfiguration`), each with the default that suits clusters of up to a few
/// thousand agents. Set in the file or as `SHOAL_TRANSPORT_<KEY>`.
enum TransportSettings {
    static let section = "transport"
    static let handshakeTimeout = ConfigurationKey(name: "handshake_timeout", kind: .string, section: section)
    static let connectTimeout = ConfigurationKey(name: "connect_timeout", kind: .string, section: section)
    static let idleTimeout = ConfigurationKey(name: "idle_timeout", kind: .string, section: section)
    static let maxFrameBytes = ConfigurationKey(name: "max_frame_bytes", kind: .string, section: section)
    static let maxConnections = ConfigurationKey(name: "max_connections", kind: .string, section: section)
    static let maxConnectionsPerPeer = ConfigurationKey(name: "max_connections_per_peer", kind: .string, section: section)
    static let maxPendingHandshakes = ConfigurationKey(name: "max_pending_handshakes", kind: .string, section: section)
    static let maxHandshakesPerSecond = ConfigurationKey(name: "max_handshakes_per_second", kind: .string, section: section)

    static let keys: [ConfigurationKey] = [
        handshakeTimeout, connectTimeout, idleTimeout, maxFrameBytes, maxConnections, maxConnectionsPerPeer,
        maxPendingHandshakes, maxHandshakesPerSecond,
    ]

    /// The section's values, each checked against its range.
    static func read(_ validation: Validation) throws(ConfigurationError) -> TransportConfiguration {
        var configuration = TransportConfiguration()
        configuration.handshakeTimeout = try validation.duration(
            handshakeTimeout, default: configuration.handshakeTimeout, within: .milliseconds(100) ... .seconds(600))
        configuration.connectTimeout = try validation.duration(
            connectTimeout, default: configuration.connectTimeout, within: .milliseconds(100) ... .seconds(600))
        configuration.idleTimeout = try validation.duration(
            idleTimeout, default: configuration.idleTimeout, within: .seconds(4) ... .seconds(86_400))
        configuration.maximumFrameBytes = try validation.integer(
            maxFrameBytes, default: configuration.maximumFrameBytes, within: (64 << 10) ... (256 << 20))
        configuration.maximumConnections = try validation.integer(
            maxConnections, default: configuration.maximumConnections, within: 1 ... 1_000_000)
        configuration.maximumConnectionsPerPeer = try validation.integer(
            maxConnectionsPerPeer, default: configuration.maximumConnectionsPerPeer, within: 1 ... 65_536)
        configuration.maximumPendingHandshakes = try validation.integer(
            maxPendingHandshakes, default: configuration.maximumPendingHandshakes, within: 1 ... 65_536)
        configuration.maximumHandshakesPerSecond = try validation.integer(
            maxHandshakesPerSecond, default: configuration.maximumHandshakesPerSecond, within: 1 ... 1_000_000)
        return configuration
    }
}
