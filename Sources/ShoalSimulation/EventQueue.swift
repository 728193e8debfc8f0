import HeapModule

/// The simulator's agenda, ordered by virtual time (swift-collections' `Heap`), ties broken by
/// the order in which events were scheduled, so a seed replays exactly. Payloads live in a side
/// table so heap moves copy three words, not messages.
struct EventQueue<Value> {
    private struct Entry: Comparable {
        var time: Duration
        var sequence: UInt64
        var slot: Int

        static func < (lhs: Entry, rhs: Entry) -> Bool { (lhs.time, lhs.sequence) < (rhs.time, rhs.sequence) }
    }

    private var entries = Heap<Entry>()
    private var payloads: [Value?] = []
    private var freeSlots: [Int] = []
    private var nextSequence: UInt64 = 0

    var isEmpty: Bool { entries.isEmpty }
    var count: Int { entries.count }
    var nextTime: Duration? { entries.min?.time }

    mutating func schedule(_ value: Value, at time: Duration) {
        let slot: Int
        if let free = freeSlots.popLast() {
            slot = free
            payloads[slot] = value
        } else {
            slot = payloads.count
            payloads.append(value)
        }
        entries.insert(Entry(time: time, sequence: nextSequence, slot: slot))
        nextSequence &+= 1
    }

    mutating func pop() -> (time: Duration, value: Value)? {
        guard let top = entries.popMin(), let value = payloads[top.slot].take() else { return nil }
        freeSlots.append(top.slot)
        return (top.time, value)
    }
}
