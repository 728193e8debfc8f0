/// An object's identity: the multihash of its manifest's canonical bytes (DESIGN "Objects").
/// Two puts of the same bytes with the same chunk size give the same id; any change to a byte,
/// a chunk boundary or the length gives another.
public struct ObjectID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The digest and the algorithm that made it.
    public let multihash: Multihash

    /// Wraps a multihash read from a request, the directory or the admin API.
    public init(_ multihash: Multihash) {
        self.multihash = multihash
    }

    /// The id of a manifest whose canonical encoding is `manifestBytes`.
    init(manifestBytes: [UInt8]) {
        multihash = Multihash(hashing: manifestBytes)
    }

    /// Order of the multihash binary forms.
    public static func < (lhs: ObjectID, rhs: ObjectID) -> Bool {
        lhs.multihash < rhs.multihash
    }

    /// The multihash in hex: how the CLI and the admin API name objects.
    public var description: String { multihash.hex }
}
