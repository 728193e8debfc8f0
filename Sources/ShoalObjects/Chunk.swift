/// One cut piece of an object: its position, its address and its uncompressed bytes.
public struct Chunk: Hashable, Sendable {
    /// Position in the object's manifest, from 0.
    public let index: Int
    /// The multihash of `bytes`.
    public let address: ChunkAddress
    /// The uncompressed bytes (the shell compresses them for the store and the wire).
    public let bytes: [UInt8]
}
