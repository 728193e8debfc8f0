/// Appends the canonical big-endian and varint fields of manifests and multihashes.
struct ByteWriter {
    var bytes: [UInt8] = []

    mutating func u8(_ value: UInt8) {
        bytes.append(value)
    }

    mutating func u64(_ value: UInt64) {
        for shift in stride(from: 56, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
        }
    }

    /// multiformats unsigned-varint: 7 bits per byte, least significant group first.
    mutating func varint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    mutating func write(_ multihash: Multihash) {
        varint(multihash.algorithm.rawValue)
        varint(UInt64(multihash.digest.count))
        bytes.append(contentsOf: multihash.digest)
    }
}
