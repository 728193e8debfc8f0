internal import Crypto

/// A hash function a `Multihash` may name, identified by its multicodec code (multiformats
/// "multihash", table `multicodec.csv`), so the address format outlives the choice of hash.
///
/// SHA-256 was chosen by measurement (`shoal-objects-bench`): on the reference machine BoringSSL's
/// SHA-256 with the x86 SHA extensions hashes 1 MiB chunks about twice as fast as libsodium's
/// BLAKE2b-256. A later algorithm is added as a new case; decoders then accept both.
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
