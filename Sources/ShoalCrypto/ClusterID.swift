/// A cluster's identifier: the first 8 bytes of BLAKE2b-256 of the authority's public key.
/// Two clusters with different authorities get different ids.
public struct ClusterID: Hashable, Sendable, CustomStringConvertible {
    /// Cluster ids are always 8 bytes.
    public static let byteCount = 8

    /// The 8 raw id bytes.
    public let bytes: [UInt8]

    /// Wraps 8 raw bytes; throws `invalidLength` for any other length.
    public init(bytes: [UInt8]) throws(CryptoError) {
        guard bytes.count == Self.byteCount else {
            throw .invalidLength(what: "cluster id", expected: Self.byteCount, actual: bytes.count)
        }
        self.bytes = bytes
    }

    /// Parses 16 hex characters (either case).
    public init(hex: String) throws(CryptoError) {
        try self.init(bytes: Hex.decode(hex, what: "cluster id"))
    }

    /// The id of the cluster whose authority is `authority`.
    public init(authority: PublicKey) {
        self.bytes = Array(Blake2b.hash256(authority.bytes).bytes.prefix(Self.byteCount))
    }

    /// The id as 16 lowercase hex characters.
    public var hex: String { Hex.encode(bytes) }

    /// The lowercase hex id.
    public var description: String { hex }
}
