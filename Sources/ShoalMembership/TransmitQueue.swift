/// Statements waiting to be piggybacked (SWIM §4.1 infection-style dissemination).
///
/// One pending statement per subject (a newer one replaces the older); each is sent at most
/// `limit` times, least-transmitted and then newest first (memberlist `TransmitLimitedQueue`).
/// Buckets by transmit count make picking O(picked); replaced entries are dropped lazily.
/// Entries are keyed by member-table slot (a reused slot gets fresh generations), so no
/// hashing happens on the hot path.
struct TransmitQueue: Sendable {
    private struct Entry: Sendable {
        var statement: Statement
        var slot: Int32
        var generation: UInt64
    }

    private var buckets: [[Entry]] = [[]]
    /// Generation of the pending entry per slot; 0 when none is pending.
    private var current: [UInt64] = []
    private(set) var count = 0
    private var nextGeneration: UInt64 = 0

    var isEmpty: Bool { count == 0 }

    mutating func enqueue(_ statement: Statement, slot: Int32) {
        nextGeneration &+= 1
        let index = Int(slot)
        if index >= current.count { current.append(contentsOf: repeatElement(0, count: index + 1 - current.count)) }
        if current[index] == 0 { count += 1 }
        current[index] = nextGeneration
        buckets[0].append(Entry(statement: statement, slot: slot, generation: nextGeneration))
    }

    private mutating func retire(_ entry: Entry) {
        if current[Int(entry.slot)] == entry.generation {
            current[Int(entry.slot)] = 0
            count -= 1
        }
    }

    /// Takes statements totalling at most `budget` bytes and counts one transmission for each;
    /// an alive statement's certificate counts `elided` bytes less (see
    /// `MembershipConfig.certificateBytesElided`).
    mutating func take(budget: Int, limit: Int, elided: Int = 0) -> [Statement] {
        var remaining = budget
        var picked: [(Entry, Int)] = []
        var skipped: [(Entry, Int)] = []
        var bucket = 0
        scan: while bucket < buckets.count, remaining > 40 {
            while let entry = buckets[bucket].popLast() {
                guard current[Int(entry.slot)] == entry.generation else { continue }
                if bucket >= limit {
                    retire(entry)
                    continue
                }
                let size = entry.statement.estimatedSize(elidingCertificateBytes: elided) + 8
                if size > remaining {
                    skipped.append((entry, bucket))
                    if skipped.count >= 4 { break scan }
                    continue
                }
                remaining -= size
                picked.append((entry, bucket))
                if remaining <= 40 { break scan }
            }
            bucket += 1
        }
        for (entry, bucket) in skipped.reversed() {
            buckets[bucket].append(entry)
        }
        for (entry, bucket) in picked {
            let sent = bucket + 1
            if sent >= limit {
                retire(entry)
            } else {
                while buckets.count <= sent { buckets.append([]) }
                buckets[sent].append(entry)
            }
        }
        return picked.map(\.0.statement)
    }
}
