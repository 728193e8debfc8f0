import HeapModule

/// Timers ordered by deadline (swift-collections' `Heap`); ties fire in insertion order
/// so runs replay exactly. Timers are never cancelled, only recognised as stale when they fire.
struct DeadlineHeap<Value: Sendable>: Sendable {
    private struct Entry: Comparable, Sendable {
        var deadline: Duration
        var order: UInt64
        var value: Value

        static func < (lhs: Entry, rhs: Entry) -> Bool { (lhs.deadline, lhs.order) < (rhs.deadline, rhs.order) }
        static func == (lhs: Entry, rhs: Entry) -> Bool { (lhs.deadline, lhs.order) == (rhs.deadline, rhs.order) }
    }

    private var entries = Heap<Entry>()
    private var nextOrder: UInt64 = 0

    var isEmpty: Bool { entries.isEmpty }
    var count: Int { entries.count }
    var earliest: Duration? { entries.min?.deadline }

    mutating func push(_ value: Value, at deadline: Duration) {
        entries.insert(Entry(deadline: deadline, order: nextOrder, value: value))
        nextOrder &+= 1
    }

    /// Removes and returns the earliest value due at or before `now`.
    mutating func popDue(now: Duration) -> (deadline: Duration, value: Value)? {
        guard let first = entries.min, first.deadline <= now else { return nil }
        return pop()
    }

    /// Removes and returns the earliest value regardless of time.
    mutating func pop() -> (deadline: Duration, value: Value)? {
        entries.popMin().map { ($0.deadline, $0.value) }
    }
}
