/// The operator's cluster authority: the Ed25519 key that signs node certificates
/// (DESIGN "Cluster authority").
///
/// On disk it is a directory holding `authority.key` (secret, 0600) and `authority.pub`.
public struct ClusterAuthority: Sendable {
    /// File name of the secret key inside an authority directory.
    public static let secretFileName = "authority.key"
    /// File name of the public key inside an authority directory.
    public static let publicFileName = "authority.pub"

    /// The authority's secret key.
    public let signingKey: SigningKey

    /// The key agents are configured with to check certificates.
    public var publicKey: PublicKey { signingKey.publicKey }

    /// The id of the cluster this authority defines.
    public var clusterID: ClusterID { ClusterID(authority: publicKey) }

    /// An authority that signs with `signingKey`.
    public init(signingKey: SigningKey) {
        self.signingKey = signingKey
    }

    /// Signs a certificate binding `nodeKey` to `name` and `labels` until `expiresAt`.
    /// Throws `certificateMalformed` if the name or labels break the certificate field rules
    /// or the certificate would exceed 16 KiB.
    public func issue(nodeKey: PublicKey, name: String, expiresAt: UInt64, labels: [String: String] = [:]) throws(CryptoError) -> NodeCertificate {
        try NodeCertificate.validate(name: name)
        try NodeCertificate.validate(labels: labels)
        let signed = NodeCertificate.signedBytes(
            nodeKey: nodeKey, name: name, expiresAt: expiresAt, labels: labels, authorityKey: publicKey)
        guard signed.count + Signature.byteCount <= NodeCertificate.maximumEncodedByteCount else {
            throw .certificateMalformed(reason: "labels make the certificate larger than \(NodeCertificate.maximumEncodedByteCount) bytes; use fewer or shorter labels")
        }
        return NodeCertificate(nodeKey: nodeKey, name: name, expiresAt: expiresAt, labels: labels,
                               authorityKey: publicKey, signature: signingKey.sign(signed))
    }

    /// Creates a new authority in `directory` (made with mode 0700 if missing). Refuses with
    /// `alreadyExists` if the directory already holds an authority key or public key, so an
    /// existing cluster's authority is never replaced.
    public static func initialize(directory: String) throws(CryptoError) -> ClusterAuthority {
        try FileSystem.makeDirectory(directory, mode: 0o700)
        let secretPath = FileSystem.join(directory, secretFileName)
        let publicPath = FileSystem.join(directory, publicFileName)
        for path in [secretPath, publicPath] where FileSystem.exists(path) {
            throw .alreadyExists(path: path)
        }
        let authority = ClusterAuthority(signingKey: .generate())
        try KeyFile.write(authority.signingKey, to: secretPath)
        try KeyFile.writePublic(authority.publicKey, to: publicPath)
        return authority
    }

    /// The authority whose secret key is in `directory`, or nil if `authority.key` is absent.
    public static func loadSecret(directory: String) throws(CryptoError) -> ClusterAuthority? {
        do {
            return ClusterAuthority(signingKey: try KeyFile.load(at: FileSystem.join(directory, secretFileName)))
        } catch .keyFileMissing {
            return nil
        }
    }

    /// The authority public key from `authority.pub`, or derived from `authority.key` when only
    /// that exists. Throws `keyFileMissing` (naming `authority.pub`) when neither exists.
    public static func loadPublic(directory: String) throws(CryptoError) -> PublicKey {
        let publicPath = FileSystem.join(directory, publicFileName)
        do {
            return try KeyFile.loadPublic(at: publicPath)
        } catch .keyFileMissing {
            do {
                return try KeyFile.loadPublic(at: FileSystem.join(directory, secretFileName))
            } catch .keyFileMissing {
                throw .keyFileMissing(path: publicPath)
            }
        }
    }
}
