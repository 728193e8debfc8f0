/// Reads the fields `ByteWriter` writes, refusing anything but their canonical form.
struct ByteReader {
    private let bytes: [UInt8]
    private(set) var offset = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    var remaining: Int { bytes.count - offset }

    mutating func take(_ count: Int, what: String) throws(ObjectFormatError) -> ArraySlice<UInt8> {
        guard count <= remaining else { throw .truncated(what: what, needed: count, available: remaining) }
        defer { offset += count }
        return bytes[offset..<offset + count]
    }

    mutating func u8(what: String) throws(ObjectFormatError) -> UInt8 {
        try take(1, what: what).first!
    }

    mutating func u64(what: String) throws(ObjectFormatError) -> UInt64 {
        try take(8, what: what).reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// multiformats unsigned-varint, at most 9 bytes (63 bits) and minimally encoded.
    mutating func varint(what: String) throws(ObjectFormatError) -> UInt64 {
        var value: UInt64 = 0
        for index in 0..<9 {
            let byte = try u8(what: what)
            value |= UInt64(byte & 0x7f) << UInt64(7 * index)
            guard byte & 0x80 != 0 else {
                // A final zero group after the first byte means a shorter encoding existed.
                guard byte != 0 || index == 0 else { throw .malformedVarint(what: what) }
                return value
            }
        }
        throw .malformedVarint(what: what)
    }

    mutating func multihash() throws(ObjectFormatError) -> Multihash {
        let code = try varint(what: "multihash code")
        guard let algorithm = HashAlgorithm(rawValue: code) else { throw .unknownHashAlgorithm(code: code) }
        let length = try varint(what: "multihash length")
        guard length == UInt64(algorithm.digestLength) else {
            throw .digestLength(
                algorithm: algorithm.description, expected: algorithm.digestLength,
                actual: Int(clamping: length))
        }
        return Multihash(trusted: algorithm, digest: Array(try take(algorithm.digestLength, what: "multihash digest")))
    }

    func expectEnd(what: String) throws(ObjectFormatError) {
        guard remaining == 0 else { throw .trailingBytes(what: what, count: remaining) }
    }
}
