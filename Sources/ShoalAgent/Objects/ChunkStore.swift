import Foundation
import GRDB
import ShoalCrypto
public import ShoalObjects
import Synchronization

/// Chunks on disk under the state directory, content addressed and crash safe (DESIGN
/// "Objects", issue "Objects" item 2). Layout: `ChunkFiles`; index: `ChunkIndex`.
///
/// Guarantees:
/// - A put is durable when it returns: every new chunk file was fsynced and renamed into place,
///   its directory fsynced, then the index committed (`synchronous = FULL`). The index commit
///   is the put's one commit point, so a kill -9 at any instant leaves the whole object or none
///   of it visible; chunk files written before the commit and not indexed are never served and
///   are removed on the next open, as are temporary files.
/// - Identical chunks are stored once; `chunk.refcount` counts the objects that list each.
/// - Every read decompresses and verifies the bytes against their address; a chunk that fails
///   is deleted and reported as `corruptChunk`, for the caller to fetch from a replica and
///   `restore(chunk:)`.
/// - Memory is bounded by one chunk: puts pull chunks one at a time, reads return one chunk.
///
/// Mutations are serialised by one lock so that refcount decisions and the creation and removal
/// of chunk files never interleave; reads take it only to delete a corrupt file.
public final class ChunkStore: Sendable {
    /// Compression and disk budget.
    public let configuration: ChunkStoreConfiguration
    let files: ChunkFiles
    let index: ChunkIndex
    let lock = Mutex<Void>(())
    /// Chunk files uncommitted stagings have written or claimed (`ChunkStaging`), by address;
    /// taken after `lock` when both are needed.
    let staged = Mutex<[ChunkAddress: StagedChunk]>([:])

    /// Opens (or creates) the store in `directory` (normally `<state directory>/objects`):
    /// removes temporary files and orphan chunk files a crash left, and migrates the index.
    public init(directory: String, configuration: ChunkStoreConfiguration = ChunkStoreConfiguration()) throws(ChunkStoreError) {
        guard (-7...22).contains(configuration.compressionLevel) else {
            throw .invalidConfiguration("compression level \(configuration.compressionLevel) is outside -7...22; 1 is the default")
        }
        guard (0.0..<1.0).contains(configuration.minimumSaving) else {
            throw .invalidConfiguration("minimum saving \(configuration.minimumSaving) must be in 0..<1 (0.1 is the default)")
        }
        self.configuration = configuration
        files = ChunkFiles(root: directory)
        try files.create()
        _ = try files.removeTemporaryFiles()
        index = try ChunkIndex(path: files.indexPath)
        try removeOrphanChunkFiles()
    }

    /// Stores the object `manifest` describes, pulling each chunk it does not already hold from
    /// `chunk(index)`, one at a time, in object order; each is verified against the manifest.
    /// Durable when it returns. A second put of a stored object only strengthens its pin.
    ///
    /// Throws `diskFull` on ENOSPC, `overBudget` when eviction cannot make room, `chunkMismatch`
    /// or `chunkSourceFailed` for bad input; in every case nothing of this put stays visible.
    public func put(_ manifest: Manifest, pin: ObjectPin = .cached, chunk: (Int) throws -> [UInt8]) throws(ChunkStoreError) {
        try lock.withLock { (_: inout Void) throws(ChunkStoreError) in
            if try strengthen(manifest.id, to: pin) { return }
            try makeRoom(for: manifest)
            try writeAndCommit(manifest, pin: pin, chunk: chunk)
        }
    }

    /// `put` from a sequence of chunk byte arrays in object order (pulled lazily, so a lazy
    /// sequence keeps memory to one chunk).
    public func put<Chunks: Sequence<[UInt8]>>(_ manifest: Manifest, pin: ObjectPin = .cached, chunks: Chunks) throws(ChunkStoreError) {
        var iterator = chunks.makeIterator()
        var position = 0
        try put(manifest, pin: pin) { index in
            while position < index {
                _ = iterator.next()
                position += 1
            }
            position += 1
            guard let bytes = iterator.next() else { throw ChunkStoreError.chunkMismatch(index: index, reason: "the sequence ended early") }
            return bytes
        }
    }

    private func strengthen(_ id: ObjectID, to pin: ObjectPin) throws(ChunkStoreError) -> Bool {
        try index.write { db in
            guard let stored = try db.manifest(id) else { return false }
            let access = try db.nextAccess()
            try db.execute(
                sql: "UPDATE object SET pin = ?, last_access = ? WHERE id = ?",
                arguments: [max(stored.pin, pin).rawValue, access, Data(id.multihash.bytes)])
            return true
        }
    }

    private func writeAndCommit(_ manifest: Manifest, pin: ObjectPin, chunk: (Int) throws -> [UInt8]) throws(ChunkStoreError) {
        var written: [ChunkAddress: (row: IndexedChunk, encoding: ChunkEncoding)] = [:]
        var seen: Set<ChunkAddress> = []
        var directories: Set<String> = []
        var committed = false
        defer { if !committed { for address in written.keys { files.remove(address) } } }
        for (position, address) in manifest.chunks.enumerated() where seen.insert(address).inserted {
            if try index.read({ db in try db.chunkRow(address) }) != nil { continue }
            let bytes: [UInt8]
            do {
                bytes = try chunk(position)
            } catch let error as ChunkStoreError {
                throw error
            } catch {
                throw .chunkSourceFailed(index: position, reason: "\(error)")
            }
            do {
                try manifest.verify(chunk: bytes, at: position)
            } catch {
                throw .chunkMismatch(index: position, reason: error.description)
            }
            let file = try ChunkEncoding.encode(bytes, level: configuration.compressionLevel, minimumSaving: configuration.minimumSaving)
            written[address] = (IndexedChunk(refcount: 1, length: bytes.count, storedSize: file.bytes.count), file.encoding)
            directories.insert(try files.write(file.bytes, for: address))
        }
        for directory in directories { try ChunkFiles.syncDirectory(directory) }
        try index.write { db in
            let access = try db.nextAccess()
            try db.execute(
                sql: "INSERT INTO object(id, manifest, pin, last_access) VALUES (?, ?, ?, ?)",
                arguments: [Data(manifest.id.multihash.bytes), Data(manifest.encoded), pin.rawValue, access])
            for address in seen {
                let key = Data(address.multihash.bytes)
                if let new = written[address] {
                    try db.execute(
                        sql: "INSERT INTO chunk(address, refcount, length, stored_size, encoding) VALUES (?, 1, ?, ?, ?)",
                        arguments: [key, new.row.length, new.row.storedSize, Int(new.encoding.rawValue)])
                } else {
                    try db.execute(sql: "UPDATE chunk SET refcount = refcount + 1 WHERE address = ?", arguments: [key])
                }
            }
        }
        committed = true
    }

    /// Removes chunk files no index row claims: the leftovers of a put killed before its commit
    /// or a delete killed after its commit.
    private func removeOrphanChunkFiles() throws(ChunkStoreError) {
        let indexed = try index.read { db in
            Set(try Data.fetchAll(db, sql: "SELECT address FROM chunk").map { Hex.encode($0) })
        }
        for file in try files.chunkFiles() where !indexed.contains(file.name) {
            unlink(file.path)
        }
    }
}
