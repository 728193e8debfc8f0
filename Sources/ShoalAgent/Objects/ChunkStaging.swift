import Foundation
import GRDB
public import ShoalObjects
import Synchronization

/// A chunk file an uncommitted staging wrote: how many stagings claim it, and what its index
/// row will say.
struct StagedChunk: Sendable {
    var claims: Int
    let length: Int
    let storedSize: Int
    let encoding: ChunkEncoding
}

/// An object arriving in pieces whose manifest is known only at the end (a streamed `PUT`), or
/// whose chunks arrive out of order from several holders (a get): chunk files are written as
/// they come, none of them indexed, and `commit` makes the object visible at once.
///
/// Crash safety is the store's: until `commit` indexes them, the files are orphans that no read
/// serves and the next open removes, so a kill -9 or a dropped upload leaves nothing behind.
/// `commit` flushes the file system once (syncfs) before the index names the files, rather
/// than one fsync per chunk. A staging that is neither committed nor abandoned is abandoned by
/// its deinit.
///
/// Memory: one chunk per `add`; the staging keeps only addresses.
public final class ChunkStaging: Sendable {
    let store: ChunkStore
    /// The chunks this staging wrote or claimed, and whether it has committed or been abandoned;
    /// several tasks of one get add to it at once.
    private let state = Mutex<(claimed: Set<ChunkAddress>, finished: Bool)>(([], false))
    private var claimed: Set<ChunkAddress> { state.withLock { $0.claimed } }
    private var finished: Bool { state.withLock { $0.finished } }

    init(store: ChunkStore) { self.store = store }

    deinit { if !finished { abandon() } }

    /// Stages the chunk `bytes` (hashed, compressed by the store's settings); answers its address.
    @discardableResult
    public func add(chunk bytes: [UInt8]) throws(ChunkStoreError) -> ChunkAddress {
        let address = ChunkAddress(hashing: bytes)
        try add(chunk: bytes, address: address)
        return address
    }

    /// Stages the chunk `bytes` whose address this process has just computed (a `Chunker`'s
    /// chunk), compressed by the store's settings, without hashing them again.
    public func add(chunk bytes: [UInt8], address: ChunkAddress) throws(ChunkStoreError) {
        guard try needsFile(address) else { return }
        let file: (bytes: [UInt8], encoding: ChunkEncoding)
        do {
            file = try ChunkEncoding.encode(bytes, level: store.configuration.compressionLevel, minimumSaving: store.configuration.minimumSaving)
        } catch {
            unclaim(address)
            throw error
        }
        try write(file.bytes, address: address, length: bytes.count, encoding: file.encoding)
    }

    /// Stages a chunk file received from a peer, already checked with `ChunkStore.verify(file:)`,
    /// byte for byte as it came (compressed chunks stay compressed).
    public func add(file: [UInt8], address: ChunkAddress, length: Int) throws(ChunkStoreError) {
        guard try needsFile(address) else { return }
        let encoding = file.count > 4 ? ChunkEncoding(rawValue: file[4]) ?? .raw : .raw
        try write(file, address: address, length: length, encoding: encoding)
    }

    /// Whether a chunk with this address is already indexed or staged (by any staging), so a
    /// get need not fetch it.
    public func has(_ address: ChunkAddress) throws(ChunkStoreError) -> Bool {
        if claimed.contains(address) { return true }
        return try store.index.read { db in try db.chunkRow(address) } != nil
    }

    /// Makes the object visible under `pin`, wanting `factor` replicas: durable when it returns.
    /// Every distinct chunk of `manifest` must be indexed already or staged here.
    public func commit(_ manifest: Manifest, pin: ObjectPin, factor: Int) throws(ChunkStoreError) {
        precondition(!finished, "a staging commits once")
        try store.lock.withLock { (_: inout Void) throws(ChunkStoreError) in
            if let stored = try store.index.read({ db in try db.manifest(manifest.id) }) {
                // Stored already: the stronger pin and the larger factor win.
                try store.index.write { db in
                    try db.execute(
                        sql: "UPDATE object SET pin = ?, factor = MAX(factor, ?) WHERE id = ?",
                        arguments: [max(stored.pin, pin).rawValue, factor, Data(manifest.id.multihash.bytes)])
                }
                return
            }
            let rows = store.staged.withLock { $0 }
            var fresh: [ChunkAddress: StagedChunk] = [:]
            for (position, address) in manifest.chunks.enumerated() where fresh[address] == nil {
                if try store.index.read({ db in try db.chunkRow(address) }) != nil { continue }
                guard claimed.contains(address), let row = rows[address], store.files.size(of: address) == row.storedSize else {
                    throw .chunkSourceFailed(index: position, reason: "chunk \(address) was never staged")
                }
                fresh[address] = row
            }
            try store.makeRoom(for: manifest)
            try store.files.syncFileSystem()
            for address in fresh.keys { try ChunkFiles.syncDirectory(store.files.directory(of: address)) }
            try store.index.write { db in
                let access = try db.nextAccess()
                try db.execute(
                    sql: "INSERT INTO object(id, manifest, pin, last_access, factor) VALUES (?, ?, ?, ?, ?)",
                    arguments: [Data(manifest.id.multihash.bytes), Data(manifest.encoded), pin.rawValue, access, factor])
                for address in Set(manifest.chunks) {
                    let key = Data(address.multihash.bytes)
                    if let row = fresh[address] {
                        try db.execute(
                            sql: "INSERT INTO chunk(address, refcount, length, stored_size, encoding) VALUES (?, 1, ?, ?, ?)",
                            arguments: [key, row.length, row.storedSize, Int(row.encoding.rawValue)])
                    } else {
                        try db.execute(sql: "UPDATE chunk SET refcount = refcount + 1 WHERE address = ?", arguments: [key])
                    }
                }
            }
        }
        release(removingUnindexed: false)
    }

    /// Drops everything staged: files no other staging claims and no index row names are removed.
    public func abandon() {
        guard !finished else { return }
        store.lock.withLock { _ in release(removingUnindexed: true) }
    }

    /// Whether this add must write the chunk's file. The address is claimed first, under this
    /// staging's lock, so two adds of one address at once (a put's chunks staged in parallel, a
    /// get's end-game duplicates) write it once; the second returns at once, and the caller's
    /// commit comes only after every add has returned.
    private func needsFile(_ address: ChunkAddress) throws(ChunkStoreError) -> Bool {
        guard state.withLock({ $0.claimed.insert(address).inserted }) else { return false }
        let indexed: Bool
        do {
            indexed = try store.index.read({ db in try db.chunkRow(address) }) != nil
        } catch {
            unclaim(address)
            throw error
        }
        if indexed {
            unclaim(address)
            return false
        }
        // Another staging wrote this chunk: claim its file instead of writing it again.
        let shared = store.staged.withLock { staged -> Bool in
            guard staged[address] != nil else { return false }
            staged[address]!.claims += 1
            return true
        }
        return !shared
    }

    private func unclaim(_ address: ChunkAddress) {
        state.withLock { _ = $0.claimed.remove(address) }
    }

    private func write(_ file: [UInt8], address: ChunkAddress, length: Int, encoding: ChunkEncoding) throws(ChunkStoreError) {
        do {
            _ = try store.files.write(file, for: address, sync: false)
        } catch {
            unclaim(address)
            throw error
        }
        store.staged.withLock { staged in
            if staged[address] != nil {
                staged[address]!.claims += 1
            } else {
                staged[address] = StagedChunk(claims: 1, length: length, storedSize: file.count, encoding: encoding)
            }
        }
    }

    /// Gives up this staging's claims (the store's lock held when `removingUnindexed`).
    private func release(removingUnindexed: Bool) {
        let claimed = state.withLock { state in
            defer { state = ([], true) }
            return state.claimed
        }
        let unclaimed = store.staged.withLock { staged -> [ChunkAddress] in
            var gone: [ChunkAddress] = []
            for address in claimed {
                guard var row = staged[address] else { continue }
                row.claims -= 1
                if row.claims <= 0 {
                    staged[address] = nil
                    gone.append(address)
                } else {
                    staged[address] = row
                }
            }
            return gone
        }
        guard removingUnindexed else { return }
        for address in unclaimed where (try? store.index.read({ db in try db.chunkRow(address) })) == nil {
            store.files.remove(address)
        }
    }
}

extension ChunkStore {
    /// A new staging for an object whose chunks arrive one by one.
    public func beginStaging() -> ChunkStaging { ChunkStaging(store: self) }

    /// The chunk file of `address` exactly as stored (compressed or raw, with its header), for
    /// sending to a peer that verifies it; nil when no stored object lists it or the file is gone.
    public func storedFile(of address: ChunkAddress) throws(ChunkStoreError) -> [UInt8]? {
        guard let row = try index.read({ db in try db.chunkRow(address) }) else { return nil }
        return try files.read(address, limit: ChunkEncoding.headerSize + row.length + row.length / 128 + 4096)
    }

    /// Whether `file` (a chunk file a peer sent) decodes to `length` bytes that hash to
    /// `address`: the check every received chunk passes before it is staged or served. The
    /// decompressed bytes are not kept.
    public static func verify(file: [UInt8], address: ChunkAddress, length: Int) -> Bool {
        verified(file: file, address: address, length: length) != nil
    }

    /// The chunk bytes `file` holds when it passes `verify(file:address:length:)`, else nil.
    public static func verified(file: [UInt8], address: ChunkAddress, length: Int) -> [UInt8]? {
        guard file.count <= ChunkEncoding.headerSize + length + length / 128 + 4096 else { return nil }
        guard case .success(let bytes) = ChunkEncoding.decode(file, maxSize: length) else { return nil }
        return bytes.count == length && address.isAddress(of: bytes) ? bytes : nil
    }

    /// The manifest of a stored object without counting an access (repair and scrub are no use).
    public func storedManifest(of id: ObjectID) throws(ChunkStoreError) -> Manifest? {
        try index.read { db in try db.manifest(id)?.manifest }
    }

    /// Every indexed chunk's address, in address order.
    public func chunkAddresses() throws(ChunkStoreError) -> [ChunkAddress] {
        try index.read { db in
            try Data.fetchAll(db, sql: "SELECT address FROM chunk ORDER BY address").compactMap {
                try? ChunkAddress(Multihash(bytes: Array($0)))
            }
        }
    }

    /// The replication factor the object was stored with (nil if not stored).
    public func factor(of id: ObjectID) throws(ChunkStoreError) -> Int? {
        try index.read { db in
            try Int.fetchOne(db, sql: "SELECT factor FROM object WHERE id = ?", arguments: [Data(id.multihash.bytes)])
        }
    }

    /// Every stored object with its pin, factor and length.
    public func storedObjects() throws(ChunkStoreError) -> [(id: ObjectID, pin: ObjectPin, factor: Int, size: UInt64, chunks: Int)] {
        try index.read { db in
            try Row.fetchAll(db, sql: "SELECT manifest, pin, factor FROM object").compactMap { row in
                let bytes: Data = row["manifest"]
                guard let manifest = try? Manifest(decoding: Array(bytes)) else { return nil }
                return (manifest.id, ObjectPin(rawValue: row["pin"]) ?? .cached, row["factor"], manifest.totalLength, manifest.chunkCount)
            }
        }
    }
}
