import Foundation
import GRDB
import ShoalObjects

/// The store's index in SQLite through GRDB, in WAL mode with `synchronous = FULL`, so a commit
/// is on disk when `write` returns. Schema (migration `v1`):
///
/// ```
/// object(id BLOB PK, manifest BLOB, pin TEXT, last_access INTEGER,   last_access: a logical clock
///        factor INTEGER)                                              factor: replicas wanted (v2)
/// chunk(address BLOB PK, refcount INTEGER > 0, length INTEGER, stored_size INTEGER, encoding INTEGER)
/// counter(name TEXT PK, value INTEGER)                                'access': the clock's value
/// ```
///
/// `chunk.refcount` is the number of objects that list the chunk (once per object, however
/// often its manifest repeats it). A chunk row exists exactly while some object needs it; a
/// chunk file without a row is an orphan, never served, removed on open.
struct ChunkIndex: Sendable {
    let database: DatabaseQueue
    let path: String

    init(path: String) throws(ChunkStoreError) {
        self.path = path
        var configuration = Configuration()
        configuration.journalMode = .wal
        configuration.prepareDatabase { db in
            // WAL's default (NORMAL) may lose the last commits on power loss; a put must not.
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        do {
            database = try DatabaseQueue(path: path, configuration: configuration)
            try Self.migrator.migrate(database)
        } catch {
            throw Self.map(error, path: path)
        }
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE object (
                    id BLOB PRIMARY KEY NOT NULL,
                    manifest BLOB NOT NULL,
                    pin TEXT NOT NULL,
                    last_access INTEGER NOT NULL
                );
                CREATE INDEX object_eviction ON object(pin, last_access);
                CREATE TABLE chunk (
                    address BLOB PRIMARY KEY NOT NULL,
                    refcount INTEGER NOT NULL CHECK (refcount > 0),
                    length INTEGER NOT NULL,
                    stored_size INTEGER NOT NULL,
                    encoding INTEGER NOT NULL
                );
                CREATE TABLE counter (name TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL);
                INSERT INTO counter(name, value) VALUES ('access', 0);
                """)
        }
        // The replication factor the object was put with, so repair knows what to restore.
        migrator.registerMigration("v2") { db in
            try db.execute(sql: "ALTER TABLE object ADD COLUMN factor INTEGER NOT NULL DEFAULT 2")
        }
        return migrator
    }

    static func map(_ error: any Error, path: String) -> ChunkStoreError {
        if let error = error as? ChunkStoreError { return error }
        if let error = error as? DatabaseError {
            if error.resultCode == .SQLITE_FULL { return .diskFull(path: path) }
            return .index(reason: "\(path): \(error.message ?? "\(error.resultCode)")")
        }
        return .index(reason: "\(path): \(error)")
    }

    func write<T>(_ body: (Database) throws -> T) throws(ChunkStoreError) -> T {
        do {
            return try database.write(body)
        } catch {
            throw Self.map(error, path: path)
        }
    }

    func read<T>(_ body: (Database) throws -> T) throws(ChunkStoreError) -> T {
        do {
            return try database.read(body)
        } catch {
            throw Self.map(error, path: path)
        }
    }
}

/// A chunk's row.
struct IndexedChunk: Sendable, Equatable {
    let refcount: Int
    let length: Int
    let storedSize: Int
}

extension Database {
    func chunkRow(_ address: ChunkAddress) throws -> IndexedChunk? {
        guard let row = try Row.fetchOne(
            self, sql: "SELECT refcount, length, stored_size FROM chunk WHERE address = ?", arguments: [Data(address.multihash.bytes)])
        else { return nil }
        return IndexedChunk(refcount: row["refcount"], length: row["length"], storedSize: row["stored_size"])
    }

    func nextAccess() throws -> Int64 {
        try execute(sql: "UPDATE counter SET value = value + 1 WHERE name = 'access'")
        return try Int64.fetchOne(self, sql: "SELECT value FROM counter WHERE name = 'access'") ?? 0
    }

    func storedBytes() throws -> UInt64 {
        UInt64(try Int64.fetchOne(self, sql: "SELECT COALESCE(SUM(stored_size), 0) FROM chunk") ?? 0)
    }

    func manifest(_ id: ObjectID) throws -> (manifest: Manifest, pin: ObjectPin)? {
        guard let row = try Row.fetchOne(
            self, sql: "SELECT manifest, pin FROM object WHERE id = ?", arguments: [Data(id.multihash.bytes)])
        else { return nil }
        let bytes: Data = row["manifest"]
        let manifest = try Manifest(decoding: Array(bytes))
        return (manifest, ObjectPin(rawValue: row["pin"]) ?? .cached)
    }

    /// Removes the object's row and one reference from each distinct chunk it lists; answers
    /// the chunks no object needs any more (their rows are gone, their files are the caller's).
    func removeObject(_ id: ObjectID, manifest: Manifest) throws -> [ChunkAddress] {
        try execute(sql: "DELETE FROM object WHERE id = ?", arguments: [Data(id.multihash.bytes)])
        var released: [ChunkAddress] = []
        for address in Set(manifest.chunks) {
            let key = Data(address.multihash.bytes)
            let count = try Int.fetchOne(self, sql: "SELECT refcount FROM chunk WHERE address = ?", arguments: [key]) ?? 0
            if count <= 1 {
                try execute(sql: "DELETE FROM chunk WHERE address = ?", arguments: [key])
                released.append(address)
            } else {
                try execute(sql: "UPDATE chunk SET refcount = refcount - 1 WHERE address = ?", arguments: [key])
            }
        }
        return released
    }
}
