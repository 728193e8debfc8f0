/// A fuzz input read as a few leading fields and a rest, the way each target splits its bytes:
/// reads past the end answer zero or nothing, so every input is a valid instruction.
public struct FuzzInput: Sendable {
    public let bytes: [UInt8]
    private var offset = 0

    /// Copies libFuzzer's buffer.
    public init(_ data: UnsafePointer<UInt8>?, _ size: Int) {
        bytes = Array(UnsafeBufferPointer(start: data, count: size))
    }

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Whether every byte has been read.
    public var isAtEnd: Bool { offset >= bytes.count }

    /// The next byte, or 0 past the end.
    public mutating func byte() -> UInt8 {
        guard offset < bytes.count else { return 0 }
        defer { offset += 1 }
        return bytes[offset]
    }

    /// The next two bytes as a big-endian number.
    public mutating func uint16() -> Int { Int(byte()) << 8 | Int(byte()) }

    /// The next `count` bytes, fewer at the end.
    public mutating func take(_ count: Int) -> [UInt8] {
        let end = min(bytes.count, offset + max(0, count))
        defer { offset = end }
        return Array(bytes[offset..<end])
    }

    /// A field of at most 65,535 bytes, after its 2-byte big-endian length.
    public mutating func lengthPrefixed() -> [UInt8] { take(uint16()) }

    /// Every byte not read yet.
    public mutating func rest() -> [UInt8] { take(bytes.count - offset) }
}

/// The builder's side of `FuzzInput`: what the seed generators write.
public struct FuzzInputWriter {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    public mutating func byte(_ value: UInt8) { bytes.append(value) }

    public mutating func uint16(_ value: Int) {
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }

    public mutating func lengthPrefixed(_ field: [UInt8]) {
        uint16(field.count)
        bytes += field
    }

    public mutating func append(_ field: [UInt8]) { bytes += field }
}
