/// The fixed size every chunk of an object has but its last: a power of two within `range`.
///
/// The rule for an object of known length (`forObject(length:)`): the smallest power of two of
/// at least 1 MiB that cuts the object into at most `targetChunkCount` (4,000) chunks, capped at
/// 64 MiB. Objects up to 4,000 MiB get 1 MiB chunks, up to 8,000 MiB 2 MiB chunks, and so on:
/// 100 GiB is 3,200 chunks of 32 MiB. Beyond 4,000 × 64 MiB (250 GiB) the count grows past
/// 4,000, up to `Manifest.chunkLimit`. The cap bounds what a chunker, a verifier or a receiver
/// holds in memory at once. A put whose length is not known in advance uses `standard`. Fixed
/// sizes keep a chunk's offset a multiplication, and identical objects cut alike share chunks.
public struct ChunkSize: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The smallest and largest chunk sizes a manifest may name (1 KiB and 64 MiB).
    public static let range: ClosedRange<UInt64> = 1 << 10...1 << 26
    /// 1 MiB: the default, and the floor of `forObject(length:)`.
    public static let standard = ChunkSize(trusted: 1 << 20)
    /// The chunk count `forObject(length:)` stays within while the chunk size can still grow.
    public static let targetChunkCount: UInt64 = 4_000

    /// Bytes per chunk.
    public let bytes: Int

    /// A chunk size of `bytes`; throws `chunkSizeOutOfRange` unless it is a power of two in `range`.
    public init(bytes: UInt64) throws(ObjectFormatError) {
        guard Self.range.contains(bytes), bytes.nonzeroBitCount == 1 else { throw .chunkSizeOutOfRange(bytes) }
        self.bytes = Int(bytes)
    }

    init(trusted bytes: Int) {
        self.bytes = bytes
    }

    /// The chunk size for an object of `length` bytes (the rule above).
    public static func forObject(length: UInt64) -> ChunkSize {
        var size = standard.bytes
        while UInt64(size) < range.upperBound, chunkCount(totalLength: length, chunkSize: UInt64(size)) > targetChunkCount {
            size <<= 1
        }
        return ChunkSize(trusted: size)
    }

    /// How many chunks `totalLength` bytes make in chunks of `chunkSize` bytes (the last one short).
    public static func chunkCount(totalLength: UInt64, chunkSize: UInt64) -> UInt64 {
        totalLength / chunkSize + (totalLength % chunkSize == 0 ? 0 : 1)
    }

    /// Smaller sizes first.
    public static func < (lhs: ChunkSize, rhs: ChunkSize) -> Bool { lhs.bytes < rhs.bytes }

    /// The size in bytes.
    public var description: String { "\(bytes) bytes" }
}
