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

    /// Feeds the next bytes of the object and answers every chunk they complete, in order.
    /// Whole chunks that start on a chunk boundary are hashed in place and copied once.
    public mutating func append(_ bytes: UnsafeRawBufferPointer) throws(ObjectFormatError) -> [Chunk] {
        var completed: [Chunk] = []
        var offset = 0
        while offset < bytes.count {
            let room = chunkSize.bytes - pending.count
            let taken = UnsafeRawBufferPointer(rebasing: bytes[offset..<min(bytes.count, offset + room)])
            offset += taken.count
            totalLength += UInt64(taken.count)
            if pending.isEmpty, taken.count == chunkSize.bytes {
                completed.append(try cut(taken))
            } else {
                pending.append(contentsOf: taken)
                if pending.count == chunkSize.bytes { completed.append(try cutPending()) }
            }
        }
        return completed
    }

    /// Feeds the next bytes of the object and answers every chunk they complete, in order.
    public mutating func append(_ bytes: [UInt8]) throws(ObjectFormatError) -> [Chunk] {
        var result = Result<[Chunk], ObjectFormatError>.success([])
        bytes.withUnsafeBytes { buffer in result = Result { () throws(ObjectFormatError) in try append(buffer) } }
        return try result.get()
    }

    /// Ends the object: the last chunk, if bytes are still waiting, and the manifest of all chunks.
    public mutating func finish() throws(ObjectFormatError) -> (last: Chunk?, manifest: Manifest) {
        let last = pending.isEmpty ? nil : try cutPending()
        return (last, Manifest(trusted: totalLength, chunkSize: chunkSize, chunks: addresses))
    }

    private mutating func cut(_ bytes: UnsafeRawBufferPointer) throws(ObjectFormatError) -> Chunk {
        guard addresses.count < chunkLimit else { throw .tooManyChunks(count: UInt64(addresses.count + 1), limit: chunkLimit) }
        let chunk = Chunk(index: addresses.count, address: ChunkAddress(hashing: bytes), bytes: Array(bytes))
        addresses.append(chunk.address)
        return chunk
    }

    private mutating func cutPending() throws(ObjectFormatError) -> Chunk {
        guard addresses.count < chunkLimit else { throw .tooManyChunks(count: UInt64(addresses.count + 1), limit: chunkLimit) }
        let chunk = Chunk(index: addresses.count, address: ChunkAddress(hashing: pending), bytes: pending)
        addresses.append(chunk.address)
        // The chunk now owns the buffer; the next one starts in a fresh allocation.
        pending = []
        pending.reserveCapacity(chunkSize.bytes)
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
