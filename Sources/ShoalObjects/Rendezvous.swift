public import ShoalMembership

/// Highest-random-weight hashing (Thaler & Ravishankar, "Using Name-Based Mappings to Increase
/// Hit Rates", IEEE/ACM ToN 1998): every node scores every object, and an object's homes are the
/// `factor` alive nodes with the highest scores. All nodes that agree on the alive set agree on
/// the homes without talking; when a node joins, only objects it now outscores move (to it), and
/// when one leaves, only the objects it was home to move — about `factor / n` of them.
///
/// The weight is a fixed function of the object id and node id (never Swift's per-process
/// seeded `Hasher`), so it is the same on every node and in every version that keeps it.
public enum Rendezvous {
    /// The score of `node` for `object`: the SplitMix64 finaliser (Steele, Lea & Flood, OOPSLA
    /// 2014) of the object id's first eight digest bytes mixed with the node's. Both inputs are
    /// already uniform (a cryptographic digest and an Ed25519 public key), so the finaliser only
    /// has to decorrelate them.
    public static func weight(of node: NodeID, for object: ObjectID) -> UInt64 {
        weight(of: node, forKey: object.multihash.prefix64)
    }

    static func weight(of node: NodeID, forKey objectKey: UInt64) -> UInt64 {
        mix(objectKey ^ mix(node.prefix64 &+ 0x9e37_79b9_7f4a_7c15))
    }

    /// The nodes of `alive` ordered by descending weight for `object` (ties, which need a 64-bit
    /// collision, by node id): the first `factor` are its homes, the rest the order of fallbacks.
    /// Duplicate ids in `alive` count once.
    public static func ranking(of alive: some Sequence<NodeID>, for object: ObjectID) -> [NodeID] {
        let key = object.multihash.prefix64
        var scored = alive.map { (weight: weight(of: $0, forKey: key), node: $0) }
        scored.sort { $0.weight != $1.weight ? $0.weight > $1.weight : $0.node < $1.node }
        var ranked: [NodeID] = []
        ranked.reserveCapacity(scored.count)
        for entry in scored where ranked.last != entry.node { ranked.append(entry.node) }
        return ranked
    }

    /// The homes of `object` among `alive`: the `factor` highest-weight nodes (fewer if fewer
    /// are alive), best first. Duplicate ids in `alive` count once.
    public static func homes(for object: ObjectID, among alive: some Sequence<NodeID>, factor: ReplicationFactor) -> [NodeID] {
        let ranked = ranking(of: alive, for: object)
        return Array(ranked.prefix(factor.effective(alive: ranked.count)))
    }

    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

extension NodeID {
    /// The first eight key bytes as a big-endian integer (zero-padded for short test ids), with
    /// the length folded in so that short ids differing only in length still differ.
    var prefix64: UInt64 {
        bytes.withUnsafeBufferPointer { buffer in
            var value: UInt64 = 0
            for index in 0..<8 { value = value << 8 | UInt64(index < buffer.count ? buffer[index] : 0) }
            return buffer.count >= 8 ? value : value ^ UInt64(buffer.count)
        }
    }
}
