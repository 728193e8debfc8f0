import Foundation
import GRDB
public import ShoalObjects

extension ChunkStore {
    /// The manifest of a stored object, counting as an access for eviction; nil if not stored.
    public func manifest(of id: ObjectID) throws(ChunkStoreError) -> Manifest? {
        try index.write { db in
            guard let stored = try db.manifest(id) else { return nil }
            let access = try db.nextAccess()
            try db.execute(sql: "UPDATE object SET last_access = ? WHERE id = ?", arguments: [access, Data(id.multihash.bytes)])
            return stored.manifest
        }
    }

    /// Whether the object is stored here (no access is recorded).
    public func contains(_ id: ObjectID) throws(ChunkStoreError) -> Bool {
        try index.read { db in try db.manifest(id) != nil }
    }

    /// The pin the object is held under, nil if not stored.
    public func pin(of id: ObjectID) throws(ChunkStoreError) -> ObjectPin? {
        try index.read { db in try db.manifest(id)?.pin }
    }

    /// The bytes of one chunk, decompressed and verified against `address`. A chunk no stored
    /// object lists is `notFound`, even if a file for it exists. A file that does not verify
    /// is deleted and reported as `corruptChunk`; a missing file is `missingChunk`.
    public func read(chunk address: ChunkAddress) throws(ChunkStoreError) -> [UInt8] {
        guard let row = try index.read({ db in try db.chunkRow(address) }) else { throw .notFound("chunk \(address)") }
        // A zstd frame of n bytes never needs more than n + n/128 + 512 bytes.
        guard let file = try files.read(address, limit: ChunkEncoding.headerSize + row.length + row.length / 128 + 4096) else {
            throw .missingChunk(address: address)
        }
        switch ChunkEncoding.decode(file, maxSize: row.length) {
        case .success(let bytes):
            guard bytes.count == row.length, address.isAddress(of: bytes) else {
                throw discardCorrupt(address, reason: "its bytes do not hash to its address")
            }
            return bytes
        case .failure(let failure):
            throw discardCorrupt(address, reason: failure.reason)
        }
    }

    /// Writes a chunk fetched again after `corruptChunk` or `missingChunk`. Only chunks some
    /// stored object lists are accepted (`notFound` otherwise); durable when it returns.
    public func restore(chunk bytes: [UInt8]) throws(ChunkStoreError) {
        let address = ChunkAddress(hashing: bytes)
        try lock.withLock { (_: inout Void) throws(ChunkStoreError) in
            guard try index.read({ db in try db.chunkRow(address) }) != nil else { throw .notFound("chunk \(address)") }
            let file = try ChunkEncoding.encode(bytes, level: configuration.compressionLevel, minimumSaving: configuration.minimumSaving)
            try ChunkFiles.syncDirectory(try files.write(file.bytes, for: address))
            try index.write { db in
                try db.execute(
                    sql: "UPDATE chunk SET stored_size = ? WHERE address = ?",
                    arguments: [file.bytes.count, Data(address.multihash.bytes)])
            }
        }
    }

    /// Bytes taken by chunk files, as stored (the quantity the disk budget limits).
    public func storedBytes() throws(ChunkStoreError) -> UInt64 {
        try index.read { db in try db.storedBytes() }
    }

    /// Every stored object's id.
    public func objects() throws(ChunkStoreError) -> [ObjectID] {
        try index.read { db in
            try Data.fetchAll(db, sql: "SELECT id FROM object").compactMap { try? ObjectID(Multihash(bytes: Array($0))) }
        }
    }

    /// The reference count of a chunk: how many stored objects list it (0 if none).
    public func referenceCount(of address: ChunkAddress) throws(ChunkStoreError) -> Int {
        try index.read { db in try db.chunkRow(address)?.refcount ?? 0 }
    }

    private func discardCorrupt(_ address: ChunkAddress, reason: String) -> ChunkStoreError {
        lock.withLock { _ in files.remove(address) }
        return .corruptChunk(address: address, reason: reason)
    }
}
