/// What an object is made of: its length, its chunk size and the address of every chunk in
/// order (DESIGN "Objects"). Chunk `i` covers bytes `i × chunkSize ..< min((i + 1) × chunkSize,
/// totalLength)`, so sizes and offsets follow from the two numbers and are never stored twice.
///
/// The id is the multihash of `encoded`, the one canonical encoding, so every node that holds
/// the same manifest computes the same id, and a manifest fetched by id is checked by rehashing.
public struct Manifest: Hashable, Sendable {
    /// The most chunks a manifest may list (and a decoder accepts by default): 2^20, a 1 TiB
    /// object of 1 MiB chunks, a manifest of about 34 MiB.
    public static let chunkLimit = 1 << 20

    /// The object's length in bytes.
    public let totalLength: UInt64
    /// The size of every chunk but the last, which is 1...chunkSize bytes.
    public let chunkSize: ChunkSize
    /// The address of each chunk, in object order; identical chunks repeat the same address.
    public let chunks: [ChunkAddress]
    /// The multihash of `encoded`.
    public let id: ObjectID

    /// A manifest for `chunks` cut from `totalLength` bytes; throws `chunkCountMismatch` unless
    /// the count is exactly what the length and chunk size need, `tooManyChunks` past `chunkLimit`.
    public init(totalLength: UInt64, chunkSize: ChunkSize, chunks: [ChunkAddress]) throws(ObjectFormatError) {
        let expected = ChunkSize.chunkCount(totalLength: totalLength, chunkSize: UInt64(chunkSize.bytes))
        guard UInt64(chunks.count) == expected else {
            throw .chunkCountMismatch(count: UInt64(chunks.count), totalLength: totalLength, chunkSize: UInt64(chunkSize.bytes))
        }
        guard chunks.count <= Self.chunkLimit else { throw .tooManyChunks(count: UInt64(chunks.count), limit: Self.chunkLimit) }
        self.init(trusted: totalLength, chunkSize: chunkSize, chunks: chunks)
    }

    init(trusted totalLength: UInt64, chunkSize: ChunkSize, chunks: [ChunkAddress]) {
        self.totalLength = totalLength
        self.chunkSize = chunkSize
        self.chunks = chunks
        id = ObjectID(manifestBytes: Self.encode(totalLength: totalLength, chunkSize: chunkSize, chunks: chunks))
    }

    /// The number of chunks.
    public var chunkCount: Int { chunks.count }

    /// The byte length of chunk `index` (precondition: `index < chunkCount`).
    public func size(ofChunk index: Int) -> Int {
        precondition(chunks.indices.contains(index), "chunk index \(index) out of range 0..<\(chunks.count)")
        guard index == chunks.count - 1 else { return chunkSize.bytes }
        return Int(totalLength - UInt64(index) * UInt64(chunkSize.bytes))
    }

    /// The object offset of chunk `index`'s first byte.
    public func offset(ofChunk index: Int) -> UInt64 {
        UInt64(index) * UInt64(chunkSize.bytes)
    }

    /// The chunk sizes in object order (all equal but the last).
    public var chunkSizes: [Int] { chunks.indices.map(size(ofChunk:)) }

    /// The verifier for chunk `index` of this object: throws unless `bytes` are exactly that
    /// chunk's size and hash to its address. Size is checked first, so a wrong-length reply
    /// costs no hashing.
    public func verify(chunk bytes: [UInt8], at index: Int) throws(ObjectFormatError) {
        guard chunks.indices.contains(index) else { throw .chunkIndexOutOfRange(index: index, count: chunks.count) }
        let expected = size(ofChunk: index)
        guard bytes.count == expected else { throw .chunkSizeMismatch(index: index, expected: expected, actual: bytes.count) }
        guard chunks[index].isAddress(of: bytes) else { throw .chunkHashMismatch(index: index, address: chunks[index].description) }
    }
}
