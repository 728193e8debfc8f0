public import ShoalObjects

/// Every failure the chunk store reports. Each message says what happened and what to do.
public enum ChunkStoreError: Error, Equatable, CustomStringConvertible {
    /// The file system is full (ENOSPC, or SQLite's SQLITE_FULL). Nothing of the failed put is
    /// visible; everything stored before still reads back.
    case diskFull(path: String)
    /// The put needs more room than the disk budget leaves after evicting every evictable object.
    case overBudget(needed: UInt64, budget: UInt64, pinnedUsage: UInt64)
    /// A chunk file did not hash to its address (or did not decode). The file was deleted; fetch
    /// the chunk from a replica and hand it to `restore(chunk:)`.
    case corruptChunk(address: ChunkAddress, reason: String)
    /// The index lists the chunk but its file is gone (deleted after corruption, or by hand).
    case missingChunk(address: ChunkAddress)
    /// No object or chunk with this id or address is stored here.
    case notFound(String)
    /// The bytes handed to a put for chunk `index` are not that chunk of the manifest.
    case chunkMismatch(index: Int, reason: String)
    /// The closure supplying a put's chunks failed; nothing of the put is visible.
    case chunkSourceFailed(index: Int, reason: String)
    /// A system call on the store's files failed.
    case fileSystem(path: String, reason: String)
    /// The index database failed.
    case index(reason: String)
    /// The compression level is outside zstd's range.
    case invalidConfiguration(String)

    /// A one-line message that says what went wrong and what to do about it.
    public var description: String {
        switch self {
        case .diskFull(let path):
            return "the disk holding \(path) is full; the put was rolled back and earlier objects are intact: free space or lower the disk budget, then retry"
        case .overBudget(let needed, let budget, let pinnedUsage):
            return "the put needs \(needed) bytes but the disk budget is \(budget) bytes and \(pinnedUsage) bytes are held by home or pinned objects, which are never evicted: raise the budget or delete objects"
        case .corruptChunk(let address, let reason):
            return "chunk \(address) is corrupt on disk (\(reason)); its file was deleted: fetch it again from a replica and restore it"
        case .missingChunk(let address):
            return "chunk \(address) is indexed but its file is missing: fetch it again from a replica and restore it"
        case .notFound(let what):
            return "\(what) is not stored on this node: fetch it from a replica"
        case .chunkMismatch(let index, let reason):
            return "the bytes given for chunk \(index) do not match the manifest (\(reason)); the put was rolled back: re-read the source and retry"
        case .chunkSourceFailed(let index, let reason):
            return "reading chunk \(index) for the put failed (\(reason)); the put was rolled back: retry"
        case .fileSystem(let path, let reason):
            return "\(path): \(reason) (check the state directory's permissions and disk)"
        case .index(let reason):
            return "the chunk store index failed: \(reason) (check the disk; the store is rolled back to its last committed state)"
        case .invalidConfiguration(let reason):
            return "invalid chunk store configuration: \(reason)"
        }
    }
}
