/// A binary min-heap of timers; ties fire in insertion order so runs replay exactly.
/// Timers are never cancelled, only recognised as stale when they fire.
struct DeadlineHeap<Value: Sendable>: Sendable {
    private struct Entry: Sendable {
        var deadline: Duration
        var order: UInt64
        var value: Value
    }

    private var entries: [Entry] = []
    private var nextOrder: UInt64 = 0

    var isEmpty: Bool { entries.isEmpty }
    var count: Int { entries.count }
    var earliest: Duration? { entries.first?.deadline }

    mutating func push(_ value: Value, at deadline: Duration) {
        entries.append(Entry(deadline: deadline, order: nextOrder, value: value))
        nextOrder &+= 1
        var child = entries.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard precedes(entries[child], entries[parent]) else { break }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the earliest value due at or before `now`.
    mutating func popDue(now: Duration) -> (deadline: Duration, value: Value)? {
        guard let first = entries.first, first.deadline <= now else { return nil }
        let top = popFirst()
        return (top.deadline, top.value)
    }

    /// Removes and returns the earliest value regardless of time.
    mutating func pop() -> (deadline: Duration, value: Value)? {
        guard !entries.isEmpty else { return nil }
        let top = popFirst()
        return (top.deadline, top.value)
    }

    private mutating func popFirst() -> Entry {
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
        return top
    }

    private func precedes(_ lhs: Entry, _ rhs: Entry) -> Bool {
        lhs.deadline != rhs.deadline ? lhs.deadline < rhs.deadline : lhs.order < rhs.order
    }
}
