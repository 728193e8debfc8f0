import Foundation
public import ShoalCrypto

/// What proves this node belongs to the cluster: its Ed25519 key, the authority's
/// public key, and a certificate binding the two to the node's name.
public struct NodeCredentials: Sendable {
    public let key: SigningKey
    public let authority: PublicKey
    public let certificate: NodeCertificate
    /// Whether the key file was made on this start (first start of a node).
    public let keyCreated: Bool

    public var nodeID: PublicKey { key.publicKey }
    public var clusterID: ClusterID { ClusterID(authority: authority) }

    /// How long a self-issued certificate of a dev or test cluster lasts.
    static let selfIssuedLifetime: UInt64 = 365 * 24 * 3600

    /// Loads (or on first start makes) the node key in `configuration.stateDirectory`,
    /// then the authority and certificate from `configuration.clusterDirectory`.
    ///
    /// A cluster directory holding `authority.key` certifies this node itself (dev and
    /// test clusters); otherwise `configuration.certificatePath` must hold a certificate
    /// for this key, signed by `authority.pub`, not expired, for this node's name.
    public static func load(configuration: AgentConfiguration, now: UInt64) throws(AgentError) -> NodeCredentials {
        try POSIX.makeDirectory(configuration.stateDirectory, mode: 0o700)
        let keyPath = configuration.stateDirectory + "/node.key"
        do {
            let (key, created) = try KeyFile.loadOrCreate(at: keyPath)
            if let authority = try ClusterAuthority.loadSecret(directory: configuration.clusterDirectory) {
                let certificate = try authority.issue(
                    nodeKey: key.publicKey, name: configuration.name, expiresAt: now + selfIssuedLifetime,
                    labels: configuration.labels)
                return NodeCredentials(key: key, authority: authority.publicKey, certificate: certificate, keyCreated: created)
            }
            let authority = try ClusterAuthority.loadPublic(directory: configuration.clusterDirectory)
            let certificate = try NodeCertificate.load(from: configuration.certificatePath)
            try certificate.verify(authority: authority, now: now)
            guard certificate.nodeKey == key.publicKey else {
                throw AgentError.credentials(
                    "certificate \(configuration.certificatePath) was issued for node key \(certificate.nodeKey.shortID), "
                        + "but this node's key (\(keyPath)) is \(key.publicKey.shortID); issue one with "
                        + "`shoal cluster issue --node-key \(keyPath) --name \(configuration.name)`")
            }
            guard certificate.name == configuration.name else {
                throw AgentError.credentials(
                    "certificate \(configuration.certificatePath) names node '\(certificate.name)', "
                        + "but this node is '\(configuration.name)' (set --name \(certificate.name))")
            }
            return NodeCredentials(key: key, authority: authority, certificate: certificate, keyCreated: created)
        } catch let error as CryptoError {
            throw .credentials(error.description)
        } catch let error as AgentError {
            throw error
        } catch {
            throw .credentials(String(describing: error))
        }
    }
}
