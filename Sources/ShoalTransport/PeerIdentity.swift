public import ShoalCrypto

/// Who is on the other end of an established connection: proven by the handshake, checked
/// against the cluster authority before any application byte moved.
public struct PeerIdentity: Hashable, Sendable, CustomStringConvertible {
    /// The peer's Ed25519 node key (its node id).
    public let key: PublicKey
    /// The node name its certificate gives.
    public let name: String
    /// When its certificate expires (unix seconds); a pooled connection is not reused past it.
    public let certificateExpiresAt: UInt64

    public init(key: PublicKey, name: String, certificateExpiresAt: UInt64) {
        self.key = key
        self.name = name
        self.certificateExpiresAt = certificateExpiresAt
    }

    public var description: String { "\(name) (\(key.shortID))" }
}

/// What this node proves itself with in a handshake.
public struct TransportIdentity: Sendable {
    public let key: SigningKey
    public let certificate: NodeCertificate
    /// The authority every peer's certificate must be signed by.
    public let authority: PublicKey
    /// Bound into every handshake's prologue, so peers of another cluster fail at once.
    public let clusterID: ClusterID

    public init(key: SigningKey, certificate: NodeCertificate, authority: PublicKey, clusterID: ClusterID) {
        self.key = key
        self.certificate = certificate
        self.authority = authority
        self.clusterID = clusterID
    }
}
