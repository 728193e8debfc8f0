import Foundation
import GRDB
public import ShoalObjects

extension ChunkStore {
    /// Deletes the object: its row goes, each chunk it lists loses one reference, and chunks no
    /// object lists any more lose their files. Answers false if it was not stored.
    ///
    /// The index commits first and files are unlinked after, so a crash in between leaves only
    /// orphan files, which no read serves and the next open removes.
    @discardableResult
    public func delete(_ id: ObjectID) throws(ChunkStoreError) -> Bool {
        try lock.withLock { (_: inout Void) throws(ChunkStoreError) in try removeLocked(id) }
    }

    /// Holds the object for `pin` from now on: `.cached` makes it evictable, `.home` or
    /// `.pinned` protects it. Answers false if it is not stored.
    @discardableResult
    public func setPin(_ id: ObjectID, to pin: ObjectPin) throws(ChunkStoreError) -> Bool {
        try lock.withLock { (_: inout Void) throws(ChunkStoreError) in
            try index.write { db in
                try db.execute(sql: "UPDATE object SET pin = ? WHERE id = ?", arguments: [pin.rawValue, Data(id.multihash.bytes)])
                return db.changesCount > 0
            }
        }
    }

    /// Evicts cached objects, least recently accessed first, until the stored bytes are within
    /// the budget; answers the evicted ids. Home and pinned objects are never evicted.
    @discardableResult
    public func enforceBudget() throws(ChunkStoreError) -> [ObjectID] {
        try lock.withLock { (_: inout Void) throws(ChunkStoreError) in
            guard let budget = configuration.diskBudget else { return [] }
            var evicted: [ObjectID] = []
            while try index.read({ db in try db.storedBytes() }) > budget, let victim = try leastRecentlyUsedEvictable() {
                try removeLocked(victim)
                evicted.append(victim)
            }
            return evicted
        }
    }

    /// Before a put (lock held): evicts least recently used cached objects until the chunks the
    /// put still needs fit in the budget, at most their uncompressed size each.
    func makeRoom(for manifest: Manifest) throws(ChunkStoreError) {
        guard let budget = configuration.diskBudget else { return }
        while true {
            let (used, needed) = try index.read { db in
                var needed: UInt64 = 0
                var seen: Set<ChunkAddress> = []
                for (position, address) in manifest.chunks.enumerated() where seen.insert(address).inserted {
                    if try db.chunkRow(address) == nil { needed += UInt64(manifest.size(ofChunk: position) + ChunkEncoding.headerSize) }
                }
                return (try db.storedBytes(), needed)
            }
            if used + needed <= budget { return }
            guard let victim = try leastRecentlyUsedEvictable() else {
                throw .overBudget(needed: needed, budget: budget, pinnedUsage: used)
            }
            try removeLocked(victim)
        }
    }

    private func leastRecentlyUsedEvictable() throws(ChunkStoreError) -> ObjectID? {
        try index.read { db in
            guard let data = try Data.fetchOne(
                db, sql: "SELECT id FROM object WHERE pin = ? ORDER BY last_access LIMIT 1", arguments: [ObjectPin.cached.rawValue])
            else { return nil }
            return ObjectID(try Multihash(bytes: Array(data)))
        }
    }

    @discardableResult
    private func removeLocked(_ id: ObjectID) throws(ChunkStoreError) -> Bool {
        let released = try index.write { db -> [ChunkAddress]? in
            guard let stored = try db.manifest(id) else { return nil }
            return try db.removeObject(id, manifest: stored.manifest)
        }
        guard let released else { return false }
        // A chunk an uncommitted staging has claimed keeps its file: that staging will index it.
        let claimed = staged.withLock { staged in Set(released.filter { staged[$0] != nil }) }
        for address in released where !claimed.contains(address) { files.remove(address) }
        return true
    }
}
