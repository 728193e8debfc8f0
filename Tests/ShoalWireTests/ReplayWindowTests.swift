import Testing

@testable import ShoalWire

@Suite("replay window")
struct ReplayWindowTests {
    /// Feeds `counters` to a fresh window and returns which were accepted.
    func accepted(_ counters: [UInt64]) -> [Bool] {
        var window = ReplayWindow()
        return counters.map { window.accept($0) }
    }

    @Test("a counter is accepted once and refused the second time")
    func onlyOnce() {
        #expect(accepted([10, 10]) == [true, false])
    }

    @Test("reordered counters inside the window are each accepted once")
    func reordering() {
        #expect(accepted([100, 98, 99, 101, 97, 500, 499, 100]) == [true, true, true, true, true, true, true, false])
    }

    @Test("a counter older than the window is refused")
    func tooOld() {
        #expect(accepted([5_000, 5_000 - ReplayWindow.size, 5_000 - ReplayWindow.size + 1]) == [true, false, true])
    }

    @Test("counters up to the largest UInt64 are accepted, and the window still refuses a replay of it")
    func largestCounter() {
        // Found by fuzz-envelope: advancing to UInt64.max from within the window never returned.
        #expect(accepted([.max - 10, .max, .max - 1, .max]) == [true, true, true, false])
    }

    @Test("a jump past the window forgets older bits without refusing new counters")
    func bigJump() {
        let first = Array(UInt64(1)...64)
        let result = accepted(first + [10_000, 9_999, 64])
        #expect(result == Array(repeating: true, count: 66) + [false])
    }
}
