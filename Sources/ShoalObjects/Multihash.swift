/// A self-describing digest: algorithm code, digest length and digest (multiformats
/// "multihash"), so a chunk address or object id says which hash made it.
///
/// Binary form: unsigned-varint code, unsigned-varint length, then the digest bytes. Ordering
/// is by that binary form, so sorted lists are the same on every node.
public struct Multihash: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The hash function that produced `digest`.
    public let algorithm: HashAlgorithm
    /// Exactly `algorithm.digestLength` bytes.
    public let digest: [UInt8]

    /// Wraps a digest; throws `digestLength` unless it has the algorithm's length.
    public init(algorithm: HashAlgorithm, digest: [UInt8]) throws(ObjectFormatError) {
        guard digest.count == algorithm.digestLength else {
            throw .digestLength(algorithm: algorithm.description, expected: algorithm.digestLength, actual: digest.count)
        }
        self.algorithm = algorithm
        self.digest = digest
    }

    init(trusted algorithm: HashAlgorithm, digest: [UInt8]) {
        self.algorithm = algorithm
        self.digest = digest
    }

    /// The digest of `bytes` under `algorithm`.
    public init(hashing bytes: UnsafeRawBufferPointer, with algorithm: HashAlgorithm = .chunkAddressing) {
        self.init(trusted: algorithm, digest: algorithm.digest(bytes))
    }

    /// The digest of `bytes` under `algorithm`.
    public init(hashing bytes: [UInt8], with algorithm: HashAlgorithm = .chunkAddressing) {
        self = bytes.withUnsafeBytes { Multihash(hashing: $0, with: algorithm) }
    }

    /// True if `bytes` hash to this digest under this digest's own algorithm.
    public func matches(_ bytes: UnsafeRawBufferPointer) -> Bool {
        algorithm.digest(bytes) == digest
    }

    /// True if `bytes` hash to this digest under this digest's own algorithm.
    public func matches(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { matches($0) }
    }

    /// The canonical binary form: varint code, varint length, digest.
    public var bytes: [UInt8] {
        var writer = ByteWriter()
        writer.write(self)
        return writer.bytes
    }

    /// Parses exactly one multihash that fills `bytes`; every malformation is a typed error.
    public init(bytes: [UInt8]) throws(ObjectFormatError) {
        var reader = ByteReader(bytes)
        self = try reader.multihash()
        try reader.expectEnd(what: "multihash")
    }

    /// Lowercase hex of the binary form (`1220…` for SHA-256), as multiformats tools print it.
    public var hex: String {
        let digits: [Character] = Array("0123456789abcdef")
        var text = ""
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return text
    }

    /// Same as `hex`.
    public var description: String { hex }

    /// Order of the binary forms: by code, then digest bytes.
    public static func < (lhs: Multihash, rhs: Multihash) -> Bool {
        if lhs.algorithm != rhs.algorithm { return lhs.algorithm.rawValue < rhs.algorithm.rawValue }
        return lhs.digest.lexicographicallyPrecedes(rhs.digest)
    }

    /// The first eight digest bytes as a big-endian integer: uniform, since digests are.
    var prefix64: UInt64 {
        digest.withUnsafeBufferPointer { buffer in
            var value: UInt64 = 0
            for index in 0..<min(8, buffer.count) { value = value << 8 | UInt64(buffer[index]) }
            return value
        }
    }
}
