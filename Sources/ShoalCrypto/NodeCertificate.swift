/// A cluster authority's statement that `nodeKey` belongs to the node called `name`, with
/// `labels`, until `expiresAt` (DESIGN "Cluster authority").
///
/// Values only come from `ClusterAuthority.issue` or `init(decoding:)`, so every certificate
/// obeys the field rules below; whether it is genuine is decided by `verify(authority:now:)`.
public struct NodeCertificate: Hashable, Sendable {
    /// Most labels a certificate may carry.
    public static let maximumLabelCount = 64
    /// Longest label key or value, in UTF-8 bytes.
    public static let maximumLabelByteCount = 128
    /// Longest node name, in UTF-8 bytes.
    public static let maximumNameByteCount = 64
    /// Largest encoded certificate accepted or issued.
    public static let maximumEncodedByteCount = 16 * 1024

    /// The node's Ed25519 identity key.
    public let nodeKey: PublicKey
    /// The node's name: 1...64 bytes of `[A-Za-z0-9._-]`.
    public let name: String
    /// Unix seconds at and after which the certificate is no longer valid.
    public let expiresAt: UInt64
    /// At most 64 labels; keys 1...128 bytes, values 0...128 bytes of UTF-8.
    public let labels: [String: String]
    /// The authority key that signed this certificate.
    public let authorityKey: PublicKey
    /// The authority's Ed25519 signature over every encoded byte before it.
    public let signature: Signature

    init(nodeKey: PublicKey, name: String, expiresAt: UInt64, labels: [String: String], authorityKey: PublicKey, signature: Signature) {
        self.nodeKey = nodeKey
        self.name = name
        self.expiresAt = expiresAt
        self.labels = labels
        self.authorityKey = authorityKey
        self.signature = signature
    }

    /// Succeeds only if `authority` signed exactly these fields and the certificate has not
    /// expired at `now` (unix seconds). Throws `certificateNotSignedByAuthority` or
    /// `certificateExpired`.
    public func verify(authority: PublicKey, now: UInt64) throws(CryptoError) {
        guard authorityKey == authority,
              authority.isValidSignature(signature, for: Self.signedBytes(
                  nodeKey: nodeKey, name: name, expiresAt: expiresAt, labels: labels, authorityKey: authorityKey))
        else {
            throw .certificateNotSignedByAuthority(name: name)
        }
        guard now < expiresAt else {
            throw .certificateExpired(name: name, expiredAt: expiresAt)
        }
    }

    /// `verify(authority:now:)`, and also that the certificate was issued to `nodeKey`
    /// (`certificateKeyMismatch` otherwise): use it when a peer presents a certificate.
    public func verify(authority: PublicKey, now: UInt64, nodeKey presentedKey: PublicKey) throws(CryptoError) {
        try verify(authority: authority, now: now)
        guard nodeKey == presentedKey else {
            throw .certificateKeyMismatch(name: name)
        }
    }

    /// Checks a node name: 1...64 bytes of `[A-Za-z0-9._-]`.
    static func validate(name: String) throws(CryptoError) {
        let utf8 = Array(name.utf8)
        guard (1...maximumNameByteCount).contains(utf8.count) else {
            throw .certificateMalformed(reason: "node name must be 1 to \(maximumNameByteCount) bytes, got \(utf8.count)")
        }
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
                continue
            default:
                throw .certificateMalformed(reason: "node name \"\(name)\" may only contain letters, digits, '.', '_' and '-'")
            }
        }
    }

    /// Checks label count and key/value sizes.
    static func validate(labels: [String: String]) throws(CryptoError) {
        guard labels.count <= maximumLabelCount else {
            throw .certificateMalformed(reason: "at most \(maximumLabelCount) labels are allowed, got \(labels.count)")
        }
        for (key, value) in labels {
            guard (1...maximumLabelByteCount).contains(key.utf8.count) else {
                throw .certificateMalformed(reason: "label key \"\(key)\" must be 1 to \(maximumLabelByteCount) bytes")
            }
            guard value.utf8.count <= maximumLabelByteCount else {
                throw .certificateMalformed(reason: "label \"\(key)\" has a value longer than \(maximumLabelByteCount) bytes")
            }
        }
    }
}
