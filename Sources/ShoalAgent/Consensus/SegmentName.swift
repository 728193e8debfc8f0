/// A segment file's name: `<sequence>-<first index>.wal`, both as 16 hex digits, so names sort
/// in log order. The sequence has no gaps (a missing number is a missing file); the first
/// index is the index the segment's first entry was due to have when it was cut.
struct SegmentName: Hashable, Comparable {
    let sequence: UInt64
    let firstIndex: UInt64

    static let suffix = ".wal"

    var fileName: String { Self.hex(sequence) + "-" + Self.hex(firstIndex) + Self.suffix }

    init(sequence: UInt64, firstIndex: UInt64) {
        self.sequence = sequence
        self.firstIndex = firstIndex
    }

    /// Parses a file name; nil if it is not a segment's.
    init?(fileName: String) {
        guard fileName.hasSuffix(Self.suffix) else { return nil }
        let parts = fileName.dropLast(Self.suffix.count).split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ $0.count == 16 }),
            let sequence = UInt64(parts[0], radix: 16), let firstIndex = UInt64(parts[1], radix: 16)
        else { return nil }
        self.init(sequence: sequence, firstIndex: firstIndex)
    }

    static func < (lhs: SegmentName, rhs: SegmentName) -> Bool { lhs.sequence < rhs.sequence }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
