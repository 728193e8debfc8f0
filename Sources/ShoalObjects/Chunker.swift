/// The streaming cutter of a put: bytes go in in any split, whole chunks come out with their
/// addresses, and `finish` gives the last (short) chunk and the manifest.
///
/// Memory stays bounded by one chunk: at most `chunkSize - 1` bytes wait between calls, plus the
/// 34-byte addresses the manifest will list. Feeding the same bytes in any split gives the same
/// chunks and the same manifest (the tests check this).
public struct Chunker: Sendable {
    /// The size of every chunk but the last.
    public let chunkSize: ChunkSize
    /// The most chunks this put may make; one more is `tooManyChunks`.
    public let chunkLimit: Int
    var pending: [UInt8] = []
    private var addresses: [ChunkAddress] = []
    private var totalLength: UInt64 = 0

    /// A chunker cutting `chunkSize` chunks; use `ChunkSize.forObject(length:)` when the length is
    /// known in advance, `standard` otherwise.
    public init(chunkSize: ChunkSize = .standard, chunkLimit: Int = Manifest.chunkLimit) {
        self.chunkSize = chunkSize
        self.chunkLimit = min(chunkLimit, Manifest.chunkLimit)
        pending.reserveCapacity(chunkSize.bytes)
    }

    /// A chunker for an object whose length is known: chunk size by `ChunkSize.forObject(length:)`.
    public init(objectLength: UInt64) {
        self.init(chunkSize: .forObject(length: objectLength))
    }

    /// Bytes fed so far.
    public var bytesConsumed: UInt64 { totalLength }

    /// Feeds the next bytes of the object (an array, a slice, a buffer pointer) and answers every
    /// chunk they complete, in order.
    public mutating func append(_ bytes: some Collection<UInt8>) throws(ObjectFormatError) -> [Chunk] {
        var completed: [Chunk] = []
        var rest = bytes[...]
        while !rest.isEmpty {
            let taken = rest.prefix(chunkSize.bytes - pending.count)
            rest = rest.dropFirst(taken.count)
            pending.append(contentsOf: taken)
            totalLength += UInt64(taken.count)
            if pending.count == chunkSize.bytes { completed.append(try cut()) }
        }
        return completed
    }

    /// Ends the object: the last chunk, if bytes are still waiting, and the manifest of all chunks.
    public mutating func finish() throws(ObjectFormatError) -> (last: Chunk?, manifest: Manifest) {
        let last = pending.isEmpty ? nil : try cut()
        return (last, Manifest(trusted: totalLength, chunkSize: chunkSize, chunks: addresses))
    }

    private mutating func cut() throws(ObjectFormatError) -> Chunk {
        guard addresses.count < chunkLimit else { throw .tooManyChunks(count: UInt64(addresses.count + 1), limit: chunkLimit) }
        let chunk = Chunk(index: addresses.count, address: ChunkAddress(hashing: pending), bytes: pending)
        addresses.append(chunk.address)
        pending.removeAll(keepingCapacity: true)
        return chunk
    }

    /// Cuts a whole object held in memory (tests, small puts): its chunks and manifest.
    public static func chunks(of bytes: [UInt8], chunkSize: ChunkSize? = nil) throws(ObjectFormatError) -> (chunks: [Chunk], manifest: Manifest) {
        var chunker = Chunker(chunkSize: chunkSize ?? .forObject(length: UInt64(bytes.count)))
        var chunks = try chunker.append(bytes)
        let (last, manifest) = try chunker.finish()
        if let last { chunks.append(last) }
        return (chunks, manifest)
    }
}

extension Chunker {
    /// Bytes waiting for the rest of their chunk: always less than one chunk.
    public var bufferedByteCount: Int { pending.count }
}
