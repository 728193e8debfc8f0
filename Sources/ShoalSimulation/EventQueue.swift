/// The simulator's agenda: a binary min-heap ordered by virtual time, ties broken by the order
/// in which events were scheduled, so a seed replays exactly. Payloads live in a side table so
/// heap moves copy three words, not messages.
struct EventQueue<Value> {
    private struct Entry {
        var time: Duration
        var sequence: UInt64
        var slot: Int
    }

    private var entries: [Entry] = []
    private var payloads: [Value?] = []
    private var freeSlots: [Int] = []
    private var nextSequence: UInt64 = 0

    var isEmpty: Bool { entries.isEmpty }
    var count: Int { entries.count }
    var nextTime: Duration? { entries.first?.time }

    mutating func schedule(_ value: Value, at time: Duration) {
        let slot: Int
        if let free = freeSlots.popLast() {
            slot = free
            payloads[slot] = value
        } else {
            slot = payloads.count
            payloads.append(value)
        }
        entries.append(Entry(time: time, sequence: nextSequence, slot: slot))
        nextSequence &+= 1
        var child = entries.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard precedes(entries[child], entries[parent]) else { break }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> (time: Duration, value: Value)? {
        guard !entries.isEmpty else { return nil }
        let top = entries[0]
        let last = entries.removeLast()
        if !entries.isEmpty {
            entries[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1
                guard left < entries.count else { break }
                var smallest = left
                if left + 1 < entries.count, precedes(entries[left + 1], entries[left]) { smallest = left + 1 }
                guard precedes(entries[smallest], entries[parent]) else { break }
                entries.swapAt(smallest, parent)
                parent = smallest
            }
        }
        let value = payloads[top.slot].take()!
        freeSlots.append(top.slot)
        return (top.time, value)
    }

    private func precedes(_ lhs: Entry, _ rhs: Entry) -> Bool {
        lhs.time != rhs.time ? lhs.time < rhs.time : lhs.sequence < rhs.sequence
    }
}
