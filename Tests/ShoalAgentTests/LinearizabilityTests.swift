import Testing

/// The checker finds each kind of violation it claims to, and passes what is linearizable.
@Suite("linearizability checker")
struct LinearizabilityTests {
    func op(_ kind: KeyHistory.Kind, _ from: Int, _ to: Int, _ result: KeyHistory.Result) -> KeyHistory.Operation {
        KeyHistory.Operation(kind: kind, invoked: .milliseconds(from), completed: .milliseconds(to), result: result)
    }

    @Test("overlapping operations may take effect in either order; an unknown write may be seen or not")
    func valid() {
        let history = KeyHistory(operations: [
            op(.write(value: "a", cas: nil), 0, 10, .written(version: 5)),
            op(.read, 5, 8, .saw(value: nil, version: 0)),  // overlaps the write: may precede it
            op(.write(value: "b", cas: 5), 12, 20, .written(version: 7)),
            op(.write(value: "c", cas: nil), 21, 30, .unknown),
            op(.read, 31, 32, .saw(value: "b", version: 7)),  // c not applied (yet)
            op(.read, 33, 34, .saw(value: "c", version: 9)),  // now it is
            op(.write(value: "d", cas: 7), 35, 36, .casFailed(current: 9)),
        ])
        #expect(history.violation() == nil)
    }

    @Test("a stale read after a completed write is a violation")
    func staleRead() {
        let history = KeyHistory(operations: [
            op(.write(value: "a", cas: nil), 0, 10, .written(version: 5)),
            op(.read, 11, 12, .saw(value: nil, version: 0)),
        ])
        #expect(history.violation() != nil)
    }

    @Test("reads going back in time, a lost acknowledged write, and a read of a failed write are violations")
    func others() {
        let backwards = KeyHistory(operations: [
            op(.write(value: "a", cas: nil), 0, 10, .written(version: 5)),
            op(.write(value: "b", cas: nil), 0, 10, .written(version: 6)),
            op(.read, 11, 12, .saw(value: "b", version: 6)),
            op(.read, 13, 14, .saw(value: "a", version: 5)),
        ])
        #expect(backwards.violation() != nil)
        let failedSeen = KeyHistory(operations: [
            op(.write(value: "a", cas: nil), 0, 10, .failed),
            op(.read, 11, 12, .saw(value: "a", version: 3)),
        ])
        #expect(failedSeen.violation() != nil)
        let wrongVersion = KeyHistory(operations: [
            op(.write(value: "a", cas: nil), 0, 10, .written(version: 5)),
            op(.read, 11, 12, .saw(value: "a", version: 4)),
        ])
        #expect(wrongVersion.violation() != nil)
        let readBeforeWrite = KeyHistory(operations: [
            op(.read, 0, 5, .saw(value: "a", version: 3)),
            op(.write(value: "a", cas: nil), 6, 10, .unknown),
        ])
        #expect(readBeforeWrite.violation() != nil)
    }

    @Test("a compare-and-set that skipped a write, and one that reports a conflict with an older state, are violations")
    func casViolations() {
        let skipped = KeyHistory(operations: [
            op(.write(value: "a", cas: nil), 0, 10, .written(version: 5)),
            op(.write(value: "b", cas: nil), 11, 20, .written(version: 6)),
            op(.write(value: "c", cas: 5), 21, 30, .written(version: 7)),
        ])
        #expect(skipped.violation() != nil)
        let oldConflict = KeyHistory(operations: [
            op(.write(value: "a", cas: nil), 0, 10, .written(version: 5)),
            op(.write(value: "b", cas: 9), 11, 20, .casFailed(current: 0)),
        ])
        #expect(oldConflict.violation() != nil)
    }
}
