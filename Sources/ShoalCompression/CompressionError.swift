/// Every failure ShoalCompression reports.
public enum CompressionError: Error, Equatable, CustomStringConvertible {
    /// The decompressed output would exceed `limit` bytes (a zstd bomb, or a cap set too low).
    case exceedsLimit(limit: Int)
    /// The input is not valid zstd; `reason` is zstd's own error name.
    case corrupt(reason: String)
    /// The input ended inside a zstd frame.
    case truncated
    /// A compression level outside zstd's supported range.
    case invalidLevel(Int)

    /// A one-line message that says what went wrong and what to do about it.
    public var description: String {
        switch self {
        case .exceedsLimit(let limit):
            return "decompressed data would exceed the \(limit) byte limit; the sender may be sending a compression bomb, or the limit is too low for this data"
        case .corrupt(let reason):
            return "compressed data is corrupt (zstd: \(reason)); fetch it again from another peer"
        case .truncated:
            return "compressed data ends in the middle of a zstd frame; the transfer was cut short, fetch it again"
        case .invalidLevel(let level):
            return "zstd compression level \(level) is out of range; use \(Zstd.levelRange.lowerBound) to \(Zstd.levelRange.upperBound) (3 is the default)"
        }
    }
}
