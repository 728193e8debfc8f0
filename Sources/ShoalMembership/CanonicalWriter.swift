/// Big-endian, length-prefixed byte writer for `Statement.canonicalBytes`.
struct CanonicalWriter {
    var bytes: [UInt8] = []

    init() {
        bytes.reserveCapacity(96)
    }

    mutating func u8(_ value: UInt8) {
        bytes.append(value)
    }

    mutating func u64(_ value: UInt64) {
        for shift in stride(from: 56, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
        }
    }

    mutating func field(_ value: [UInt8]) {
        u64(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    mutating func string(_ value: String) {
        field(Array(value.utf8))
    }
}
