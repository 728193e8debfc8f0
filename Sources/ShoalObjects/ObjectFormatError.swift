/// Why bytes that claim to be a multihash, manifest or chunk were refused. Every case names the
/// field and the values involved; none of them is worth retrying with the same bytes.
public enum ObjectFormatError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The input ended inside `what`: `needed` more bytes were required, `available` were left.
    case truncated(what: String, needed: Int, available: Int)
    /// An unsigned varint was longer than 9 bytes, overflowed 63 bits or was not minimally encoded.
    case malformedVarint(what: String)
    /// A multihash named a hash function this version does not know.
    case unknownHashAlgorithm(code: UInt64)
    /// A multihash's length did not match its algorithm's digest length.
    case digestLength(algorithm: String, expected: Int, actual: Int)
    /// The manifest did not start with the `SHOM` magic.
    case notAManifest
    /// The manifest's format version is not one this version reads.
    case unsupportedManifestVersion(UInt8)
    /// The chunk size was not a power of two within `ChunkSize.range`.
    case chunkSizeOutOfRange(UInt64)
    /// The chunk count exceeded the decoder's limit (checked before anything is allocated).
    case tooManyChunks(count: UInt64, limit: Int)
    /// The chunk count does not follow from the total length and chunk size.
    case chunkCountMismatch(count: UInt64, totalLength: UInt64, chunkSize: UInt64)
    /// Bytes followed the last field of `what`.
    case trailingBytes(what: String, count: Int)
    /// A chunk's bytes are not as long as the manifest says.
    case chunkSizeMismatch(index: Int, expected: Int, actual: Int)
    /// A chunk's bytes do not hash to its address: corrupted in store or in transit.
    case chunkHashMismatch(index: Int, address: String)
    /// A chunk index beyond the manifest's last chunk.
    case chunkIndexOutOfRange(index: Int, count: Int)

    /// One line naming what is wrong.
    public var description: String {
        switch self {
        case .truncated(let what, let needed, let available):
            "\(what) is truncated: needed \(needed) more bytes, \(available) left"
        case .malformedVarint(let what):
            "\(what) is not a minimal unsigned varint of at most 63 bits"
        case .unknownHashAlgorithm(let code):
            "multihash code 0x\(String(code, radix: 16)) is not a hash this version knows (upgrade the agent?)"
        case .digestLength(let algorithm, let expected, let actual):
            "\(algorithm) digest must be \(expected) bytes but is \(actual)"
        case .notAManifest:
            "bytes are not a Shoal manifest (no SHOM magic)"
        case .unsupportedManifestVersion(let version):
            "manifest format version \(version) is not supported by this version (upgrade the agent?)"
        case .chunkSizeOutOfRange(let size):
            "chunk size \(size) is not a power of two from \(ChunkSize.range.lowerBound) to \(ChunkSize.range.upperBound) bytes"
        case .tooManyChunks(let count, let limit):
            "manifest lists \(count) chunks, more than the limit of \(limit)"
        case .chunkCountMismatch(let count, let totalLength, let chunkSize):
            "manifest lists \(count) chunks but \(totalLength) bytes in \(chunkSize)-byte chunks need \(ChunkSize.chunkCount(totalLength: totalLength, chunkSize: chunkSize))"
        case .trailingBytes(let what, let count):
            "\(count) unexpected bytes after the end of \(what)"
        case .chunkSizeMismatch(let index, let expected, let actual):
            "chunk \(index) must be \(expected) bytes but is \(actual)"
        case .chunkHashMismatch(let index, let address):
            "chunk \(index) does not hash to its address \(address): corrupted in store or in transit"
        case .chunkIndexOutOfRange(let index, let count):
            "chunk index \(index) is out of range for a manifest of \(count) chunks"
        }
    }
}
