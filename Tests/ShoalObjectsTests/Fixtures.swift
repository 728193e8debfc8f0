import ShoalMembership

@testable import ShoalObjects
import ShoalRandom

/// Deterministic test inputs: node ids, object ids, byte patterns and small manifests.
enum Fixture {
    /// A 32-byte node id drawn from `seed`, like an Ed25519 public key.
    static func node(_ seed: UInt64) -> NodeID {
        var rng = SeededGenerator(seed: seed &* 7_919 &+ 1)
        return NodeID(bytes: (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) })
    }

    /// Nodes 0..<count.
    static func nodes(_ count: Int, from first: UInt64 = 0) -> [NodeID] {
        (0..<UInt64(count)).map { node(first + $0) }
    }

    /// An object id: the hash of some bytes named by `seed`.
    static func object(_ seed: UInt64) -> ObjectID {
        ObjectID(Multihash(hashing: bytes(16, seed: seed)))
    }

    /// `count` pseudo-random bytes from `seed`.
    static func bytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var rng = SeededGenerator(seed: seed)
        var out = [UInt8]()
        out.reserveCapacity(count)
        while out.count < count {
            var word = rng.next()
            for _ in 0..<min(8, count - out.count) {
                out.append(UInt8(truncatingIfNeeded: word))
                word >>= 8
            }
        }
        return out
    }

    /// The address of a chunk named by `seed` (no bytes behind it: for scheduling tests).
    static func address(_ seed: Int) -> ChunkAddress {
        ChunkAddress(hashing: Array("chunk \(seed)".utf8))
    }

    /// 1 KiB chunks (the smallest size a manifest allows).
    static let kib = try! ChunkSize(bytes: 1_024)

    /// A manifest of `count` distinct 1 KiB chunks, the last `lastSize` bytes long.
    static func manifest(chunks count: Int, lastSize: Int = 1_024) -> Manifest {
        try! Manifest(
            totalLength: UInt64((count - 1) * 1_024 + lastSize), chunkSize: kib,
            chunks: (0..<count).map(address))
    }
}
