/// The canonical binary form (format version 1), all integers big-endian:
///
/// ```
/// "SHOM"  u8 version = 1  u64 totalLength  u64 chunkSize  u64 chunkCount  chunkCount × multihash
/// ```
///
/// The chunk count is implied by the length and chunk size; it is stored so a decoder can check
/// limits before reading further, and a manifest whose count disagrees is refused, so there is
/// exactly one encoding per manifest.
extension Manifest {
    /// `SHOM`: Shoal object manifest.
    static let magic: [UInt8] = Array("SHOM".utf8)
    /// The format version this code writes and reads.
    static let version: UInt8 = 1

    /// The canonical bytes; `id` is their multihash.
    public var encoded: [UInt8] {
        Self.encode(totalLength: totalLength, chunkSize: chunkSize, chunks: chunks)
    }

    static func encode(totalLength: UInt64, chunkSize: ChunkSize, chunks: [ChunkAddress]) -> [UInt8] {
        var writer = ByteWriter()
        writer.bytes.reserveCapacity(29 + chunks.count * 34)
        writer.bytes.append(contentsOf: magic)
        writer.u8(version)
        writer.u64(totalLength)
        writer.u64(UInt64(chunkSize.bytes))
        writer.u64(UInt64(chunks.count))
        for chunk in chunks { writer.write(chunk.multihash) }
        return writer.bytes
    }

    /// Decodes canonical manifest bytes from an untrusted source. Every malformation is a typed
    /// error; the chunk count is checked against `chunkLimit` and against the bytes actually
    /// present before the chunk list is allocated, so a hostile count costs nothing.
    public init(decoding bytes: [UInt8], chunkLimit: Int = Manifest.chunkLimit) throws(ObjectFormatError) {
        var reader = ByteReader(bytes)
        guard reader.remaining >= Self.magic.count, Array(try reader.take(Self.magic.count, what: "manifest magic")) == Self.magic else {
            throw .notAManifest
        }
        let version = try reader.u8(what: "manifest version")
        guard version == Self.version else { throw .unsupportedManifestVersion(version) }
        let totalLength = try reader.u64(what: "manifest total length")
        let chunkSize = try ChunkSize(bytes: try reader.u64(what: "manifest chunk size"))
        let count = try reader.u64(what: "manifest chunk count")
        guard count <= UInt64(min(chunkLimit, Self.chunkLimit)) else {
            throw .tooManyChunks(count: count, limit: min(chunkLimit, Self.chunkLimit))
        }
        guard count == ChunkSize.chunkCount(totalLength: totalLength, chunkSize: UInt64(chunkSize.bytes)) else {
            throw .chunkCountMismatch(count: count, totalLength: totalLength, chunkSize: UInt64(chunkSize.bytes))
        }
        let needed = Int(count) * HashAlgorithm.shortestEncoding
        guard needed <= reader.remaining else { throw .truncated(what: "manifest chunk list", needed: needed, available: reader.remaining) }
        var chunks: [ChunkAddress] = []
        chunks.reserveCapacity(Int(count))
        for _ in 0..<count { chunks.append(ChunkAddress(try reader.multihash())) }
        try reader.expectEnd(what: "manifest")
        self.init(trusted: totalLength, chunkSize: chunkSize, chunks: chunks)
    }
}
