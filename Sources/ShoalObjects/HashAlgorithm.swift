internal import Crypto

/// A hash function a `Multihash` may name, identified by its multicodec code (multiformats
/// "multihash", table `multicodec.csv`), so the address format outlives the choice of hash.
///
/// SHA-256 was chosen by measurement (`swift run -c release shoal-objects-bench`, one core,
/// 1 MiB buffers, AMD EPYC with the SHA extensions, on a shared and busy machine): BoringSSL's
/// SHA-256 (swift-crypto) ran at 0.97-1.55 GB/s against libsodium's BLAKE2b-256 at 0.57-0.89 GB/s,
/// 1.7-1.9 times faster in every run; libsodium's portable SHA-256 managed 0.18-0.30 GB/s. On a
/// CPU without SHA instructions BLAKE2b would win: add it as a case and change `chunkAddressing`;
/// addresses already made keep verifying, since each names its own algorithm.
public enum HashAlgorithm: UInt64, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// SHA-256 (FIPS 180-4), multicodec `sha2-256` = 0x12, 32-byte digest.
    case sha2_256 = 0x12

    /// The algorithm new chunk addresses and object ids are made with.
    public static let chunkAddressing: HashAlgorithm = .sha2_256

    /// The number of digest bytes this algorithm produces (the multihash length field).
    public var digestLength: Int {
        switch self {
        case .sha2_256: 32
        }
    }

    /// The multicodec name (`sha2-256`).
    public var description: String {
        switch self {
        case .sha2_256: "sha2-256"
        }
    }

    /// The digest of `bytes` under this algorithm.
    func digest(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        switch self {
        case .sha2_256:
            var hasher = SHA256()
            hasher.update(bufferPointer: bytes)
            return Array(hasher.finalize())
        }
    }
}

extension HashAlgorithm {
    /// Bytes of the shortest multihash any known algorithm encodes to: the floor a decoder
    /// multiplies a claimed count by before trusting it.
    static let shortestEncoding = allCases.map { algorithm in
        var writer = ByteWriter()
        writer.varint(algorithm.rawValue)
        writer.varint(UInt64(algorithm.digestLength))
        return writer.bytes.count + algorithm.digestLength
    }.min()!
}
