/// Deterministic pseudo-random bytes (xorshift64), so failures reproduce.
func pseudoRandomBytes(count: Int, seed: UInt64 = 0x9e37_79b9_7f4a_7c15) -> [UInt8] {
    var state = seed
    var out = [UInt8]()
    out.reserveCapacity(count)
    for _ in 0..<count {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        out.append(UInt8(truncatingIfNeeded: state))
    }
    return out
}

/// Text-like data that compresses well.
func repetitiveBytes(count: Int) -> [UInt8] {
    let line = Array("shoal chunk manifest entry: node-a replicated 3 copies\n".utf8)
    return (0..<count).map { line[$0 % line.count] }
}
