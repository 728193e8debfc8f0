import ShoalConsensus
import ShoalWire
import Testing

@testable import ShoalAgent

/// The key-value state machine on its own: what each command does, deterministically.
@Suite("key-value store")
struct KeyValueStoreTests {
    func apply(_ store: KeyValueStore, _ command: [UInt8], at index: LogIndex) -> KeyValueStore.Outcome {
        store.apply(Entry(term: 1, index: index, data: command))
    }

    @Test("put, get, list by prefix in key order, delete; create and modify indexes")
    func basics() {
        let store = KeyValueStore()
        #expect(apply(store, KeyValueStore.put("b/2", [2]), at: 1) == .written(index: 1))
        #expect(apply(store, KeyValueStore.put("a", [1]), at: 2) == .written(index: 2))
        #expect(apply(store, KeyValueStore.put("b/1", [3]), at: 3) == .written(index: 3))
        #expect(apply(store, KeyValueStore.put("a", [4]), at: 4) == .written(index: 4))
        #expect(store.get("a") == .init(key: "a", value: [4], createIndex: 2, modifyIndex: 4))
        #expect(store.list(prefix: "b/").map(\.key) == ["b/1", "b/2"])
        #expect(apply(store, KeyValueStore.delete("a"), at: 5) == .deleted(index: 5))
        #expect(store.get("a") == nil)
        #expect(apply(store, KeyValueStore.delete("missing"), at: 6) == .deleted(index: 6))
    }

    @Test("compare-and-set: 0 only creates, an index only replaces that version, a delete likewise")
    func compareAndSet() {
        let store = KeyValueStore()
        #expect(apply(store, KeyValueStore.put("k", [1], cas: 0), at: 1) == .written(index: 1))
        #expect(apply(store, KeyValueStore.put("k", [2], cas: 0), at: 2) == .casFailed(current: 1))
        #expect(apply(store, KeyValueStore.put("k", [2], cas: 7), at: 3) == .casFailed(current: 1))
        #expect(store.get("k")?.value == [1])
        #expect(apply(store, KeyValueStore.put("k", [2], cas: 1), at: 4) == .written(index: 4))
        #expect(apply(store, KeyValueStore.delete("k", cas: 1), at: 5) == .casFailed(current: 4))
        #expect(apply(store, KeyValueStore.delete("k", cas: 4), at: 6) == .deleted(index: 6))
        #expect(apply(store, KeyValueStore.delete("k", cas: 0), at: 7) == .casFailed(current: nil))
    }

    @Test("an empty, oversized or NUL key, an oversized value or bytes that are no command are refused and change nothing")
    func invalid() {
        let store = KeyValueStore()
        _ = apply(store, KeyValueStore.put("k", [1]), at: 1)
        let before = store.snapshot()
        let refused: [[UInt8]] = [
            KeyValueStore.put("", [1]), KeyValueStore.put(String(repeating: "k", count: KeyValueStore.maximumKeyBytes + 1), [1]),
            KeyValueStore.put("a\u{0}b", [1]), KeyValueStore.put("k", [UInt8](repeating: 0, count: KeyValueStore.maximumValueBytes + 1)),
            KeyValueStore.delete(""), [0xff, 0xff, 0xff], [],
        ]
        for (offset, command) in refused.enumerated() {
            guard case .invalid = apply(store, command, at: LogIndex(2 + offset)) else {
                Issue.record("command \(offset) was not refused")
                continue
            }
        }
        #expect(store.snapshot() == before)
    }

    @Test("a snapshot restores the same state; a damaged one is refused and leaves the state alone")
    func snapshots() throws {
        let store = KeyValueStore()
        for index in 1...20 { _ = apply(store, KeyValueStore.put("key\(index % 7)", [UInt8(index)]), at: LogIndex(index)) }
        let copy = KeyValueStore()
        try copy.restore(store.snapshot())
        #expect(copy.list(prefix: "") == store.list(prefix: ""))
        #expect(throws: KeyValueStore.SnapshotError.self) { try copy.restore([0xff, 0x01]) }
        #expect(copy.list(prefix: "") == store.list(prefix: ""))
        try copy.restore([])
        #expect(copy.list(prefix: "").isEmpty)
    }

    @Test("a watch index is the newest modify index of what was read, or the last delete if newer; it survives a snapshot")
    func watchIndex() throws {
        let store = KeyValueStore()
        _ = apply(store, KeyValueStore.put("app/a", [1]), at: 1)
        _ = apply(store, KeyValueStore.put("app/b", [2]), at: 2)
        _ = apply(store, KeyValueStore.put("other", [3]), at: 3)
        #expect(store.watchIndex(of: store.list(prefix: "app/")) == 2)
        #expect(store.watchIndex(of: [store.get("app/a")!]) == 1)
        #expect(store.watchIndex(of: []) == 0)
        // Deleting a key moves every watch (deletes are not kept per key) ...
        _ = apply(store, KeyValueStore.delete("app/b"), at: 4)
        #expect(store.watchIndex(of: store.list(prefix: "app/")) == 4)
        // ... but deleting a key that does not exist changes nothing, so it moves none.
        _ = apply(store, KeyValueStore.delete("never"), at: 5)
        #expect(store.watchIndex(of: store.list(prefix: "app/")) == 4)
        let copy = KeyValueStore()
        try copy.restore(store.snapshot())
        #expect(copy.watchIndex(of: copy.list(prefix: "app/")) == 4)
    }

    @Test("a watch asked for over leader/1 waits at most ten minutes, whatever wait it names")
    func watchWaitIsBounded() throws {
        var request = Shoal_Wire_V1_LeaderRequest()
        request.read = .with {
            $0.key = "k"
            $0.watchIndex = 7
            $0.waitMs = .max
        }
        let watch = try #require(KVRequest(wire: request)?.watch)
        #expect(watch.index == 7 && watch.wait == KVWatch.maximumWait)
        request.read.waitMs = 0
        #expect(KVRequest(wire: request)?.watch == nil, "wait 0 is a plain read")
    }
}
