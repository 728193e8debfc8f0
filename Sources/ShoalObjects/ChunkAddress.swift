/// A chunk's address: the multihash of its uncompressed bytes (DESIGN "Objects"). Identical
/// chunks have the same address wherever and whenever they were cut, so a store keyed by
/// address keeps each once; compression is a storage detail the address does not see.
public struct ChunkAddress: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The digest and the algorithm that made it.
    public let multihash: Multihash

    /// Wraps a multihash read from a manifest, a request or a store listing.
    public init(_ multihash: Multihash) {
        self.multihash = multihash
    }

    /// The address of `bytes`, made with `HashAlgorithm.chunkAddressing`.
    public init(hashing bytes: UnsafeRawBufferPointer) {
        multihash = Multihash(hashing: bytes)
    }

    /// The address of `bytes`, made with `HashAlgorithm.chunkAddressing`.
    public init(hashing bytes: [UInt8]) {
        multihash = Multihash(hashing: bytes)
    }

    /// The verifier: true if `bytes` hash to this address under the address's own algorithm.
    /// A chunk read from disk or received from a peer is used only after this holds.
    public func isAddress(of bytes: UnsafeRawBufferPointer) -> Bool {
        multihash.matches(bytes)
    }

    /// The verifier: true if `bytes` hash to this address under the address's own algorithm.
    public func isAddress(of bytes: [UInt8]) -> Bool {
        multihash.matches(bytes)
    }

    /// Order of the multihash binary forms.
    public static func < (lhs: ChunkAddress, rhs: ChunkAddress) -> Bool {
        lhs.multihash < rhs.multihash
    }

    /// The multihash in hex.
    public var description: String { multihash.hex }
}
