/// The name of an application protocol carried by the transport, such as `membership/1`
/// (the role of ALPN in TLS): sent by the initiator inside the handshake, so it is encrypted,
/// authenticated and part of the transcript; a connection carries that protocol only.
public struct ProtocolName: Hashable, Sendable, CustomStringConvertible {
    /// The longest name the handshake carries.
    public static let maximumByteCount = 32

    public let rawValue: String

    /// Accepts 1–32 characters from `[a-z0-9._/-]`; nil otherwise.
    public init?(_ rawValue: String) {
        guard (1...Self.maximumByteCount).contains(rawValue.utf8.count),
            rawValue.utf8.allSatisfy({ Self.allowed.contains($0) })
        else { return nil }
        self.rawValue = rawValue
    }

    public var description: String { rawValue }

    /// SWIM push-pull and the TCP fallback ping.
    public static let membership = ProtocolName("membership/1")!
    /// Object chunks and manifests.
    public static let objects = ProtocolName("objects/1")!
    /// Raft RPCs.
    public static let raft = ProtocolName("raft/1")!
    /// Requests to the Raft group: bootstrap promises, and key-value requests forwarded to the leader.
    public static let leader = ProtocolName("leader/1")!
    /// Task assignments and results.
    public static let tasks = ProtocolName("tasks/1")!

    private static let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789._/-".utf8)
}
