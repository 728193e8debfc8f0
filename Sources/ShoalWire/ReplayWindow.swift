/// A sliding anti-replay window over one sender's envelope counters
/// (the bitmap scheme of RFC 6479 / IPsec ESP, as WireGuard uses it).
///
/// Accepts each counter at most once, accepts counters up to `size - 1` behind the
/// highest seen (datagrams may reorder), and refuses anything older.
public struct ReplayWindow: Sendable, Equatable {
    /// How far behind the newest counter an envelope may arrive and still count.
    public static let size: UInt64 = 1_024
    private static let wordCount = Int(size / 64)

    private var highest: UInt64?
    private var bits = [UInt64](repeating: 0, count: wordCount)

    public init() {}

    /// Records `counter` and answers whether it is new. Call only for authenticated envelopes.
    public mutating func accept(_ counter: UInt64) -> Bool {
        guard let highest else {
            self.highest = counter
            set(counter)
            return true
        }
        if counter > highest {
            let advance = counter - highest
            if advance >= Self.size {
                bits = [UInt64](repeating: 0, count: Self.wordCount)
            } else {
                // Counts up to `counter` without stepping past it: `c <= counter` then `c += 1`
                // never ends when `counter` is UInt64.max (found by Fuzz/ fuzz-envelope).
                var c = highest
                while c < counter {
                    c += 1
                    clear(c)
                }
            }
            self.highest = counter
            set(counter)
            return true
        }
        guard highest - counter < Self.size else { return false }
        if isSet(counter) { return false }
        set(counter)
        return true
    }

    private func position(_ counter: UInt64) -> (word: Int, bit: UInt64) {
        let index = counter % Self.size
        return (Int(index / 64), index % 64)
    }

    private mutating func set(_ counter: UInt64) {
        let p = position(counter)
        bits[p.word] |= 1 << p.bit
    }

    private mutating func clear(_ counter: UInt64) {
        let p = position(counter)
        bits[p.word] &= ~(1 << p.bit)
    }

    private func isSet(_ counter: UInt64) -> Bool {
        let p = position(counter)
        return bits[p.word] & (1 << p.bit) != 0
    }
}
