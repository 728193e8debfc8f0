import ShoalObjects
import Testing
@testable import ShoalAgent

@Suite("Chunk store: disk budget and LRU eviction")
struct ChunkStoreEvictionTests {
    /// One raw 4 KiB chunk as stored: header plus payload.
    static let stored = UInt64(4096 + ChunkEncoding.headerSize)

    @Test("eviction removes the least recently used cached object first, never a home or pinned one")
    func leastRecentlyUsedCachedFirst() throws {
        let store = try ChunkStore(
            directory: try ChunkStoreFixtures.temporaryDirectory(),
            configuration: ChunkStoreConfiguration(diskBudget: 4 * Self.stored))
        func put(_ pin: ObjectPin) throws -> ObjectID {
            try ChunkStoreFixtures.put(ChunkStoreFixtures.randomBytes(4096), in: store, pin: pin).id
        }
        let home = try put(.home)
        let pinned = try put(.pinned)
        let older = try put(.cached)
        let newer = try put(.cached)
        _ = try store.manifest(of: older)  // now `newer` is the least recently used cached object

        let fifth = try put(.cached)
        #expect(try !store.contains(newer) && store.contains(older))
        _ = try put(.cached)
        #expect(try !store.contains(older) && store.contains(fifth))
        #expect(try store.contains(home) && store.contains(pinned))
    }

    @Test("a put that cannot fit once every cached object is gone is refused as over budget")
    func overBudget() throws {
        let store = try ChunkStore(
            directory: try ChunkStoreFixtures.temporaryDirectory(),
            configuration: ChunkStoreConfiguration(diskBudget: 2 * Self.stored))
        let home = try ChunkStoreFixtures.put(ChunkStoreFixtures.randomBytes(4096), in: store, pin: .home).id
        let pinned = try ChunkStoreFixtures.put(ChunkStoreFixtures.randomBytes(4096), in: store, pin: .pinned).id
        #expect(throws: ChunkStoreError.overBudget(needed: Self.stored, budget: 2 * Self.stored, pinnedUsage: 2 * Self.stored)) {
            try ChunkStoreFixtures.put(ChunkStoreFixtures.randomBytes(4096), in: store)
        }
        #expect(try store.contains(home) && store.contains(pinned))
    }
}
