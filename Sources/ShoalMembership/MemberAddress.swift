/// Where a member listens for gossip datagrams and push-pull streams.
public struct MemberAddress: Hashable, Sendable, CustomStringConvertible {
    /// Host name or IP literal.
    public var host: String
    /// UDP and TCP port.
    public var port: UInt16

    /// An address as `host:port`.
    public init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    /// `host:port`.
    public var description: String { "\(host):\(port)" }
}
