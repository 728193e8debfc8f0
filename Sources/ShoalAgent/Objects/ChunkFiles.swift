#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLinux
import ShoalCrypto
import ShoalObjects

/// The store's directory tree and the POSIX calls on it:
///
/// ```
/// <root>/index.sqlite            the GRDB index (WAL: index.sqlite-wal, -shm)
/// <root>/chunks/ab/cd/<hex>      one file per chunk; <hex> is the address's multihash hex,
///                                ab and cd the first two digest bytes
/// <root>/tmp/<random>.tmp        chunk files being written; emptied on open
/// ```
///
/// A chunk file appears under `chunks/` only by `rename(2)` from `tmp/` after its bytes are
/// fsynced, so it is whole or absent whatever instant the process dies at. Chunk files are
/// written and read with `O_DIRECT` where the file system allows it (`DirectIO` says why).
struct ChunkFiles: Sendable {
    let root: String
    var chunksDirectory: String { root + "/chunks" }
    var temporaryDirectory: String { root + "/tmp" }
    var indexPath: String { root + "/index.sqlite" }

    func directory(of address: ChunkAddress) -> String {
        let digest = address.multihash.digest
        return chunksDirectory + "/" + Hex.encode([digest[0]]) + "/" + Hex.encode([digest.count > 1 ? digest[1] : 0])
    }

    func path(of address: ChunkAddress) -> String {
        directory(of: address) + "/" + address.description
    }

    static func errorText(_ code: Int32) -> String { POSIX.errorText(code) }

    /// `failure` as the store reports it.
    static func mapped(_ failure: POSIX.CallFailure) -> ChunkStoreError { Self.failure(failure.path, failure.code) }

    static func failure(_ path: String, _ code: Int32) -> ChunkStoreError {
        code == ENOSPC || code == EDQUOT ? .diskFull(path: path) : .fileSystem(path: path, reason: errorText(code))
    }

    /// Creates the tree; an existing one is kept.
    func create() throws(ChunkStoreError) {
        for path in [root, chunksDirectory, temporaryDirectory] { try Self.makeDirectory(path) }
    }

    static func makeDirectory(_ path: String) throws(ChunkStoreError) {
        if mkdir(path, 0o700) != 0 {
            let code = errno
            guard code == EEXIST else {
                if code == ENOENT {
                    let parent = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
                    if !parent.isEmpty, parent != path {
                        try makeDirectory(parent)
                        if mkdir(path, 0o700) == 0 || errno == EEXIST { return }
                    }
                }
                throw failure(path, code)
            }
        }
    }

    /// Writes `bytes` as the chunk file of `address`: temporary file, fsync, rename into place.
    /// Answers the directory that now needs an fsync for the rename to be durable. With `sync`
    /// false the fsync is left to the caller (a staging syncs the file system once, at commit,
    /// before the index names the file: until then the file is an orphan whatever its state).
    func write(_ bytes: [UInt8], for address: ChunkAddress, sync: Bool = true) throws(ChunkStoreError) -> String {
        let directory = directory(of: address)
        let parent = String(directory[..<directory.lastIndex(of: "/")!])
        if mkdir(parent, 0o700) == 0 { try Self.syncDirectory(chunksDirectory) }
        if mkdir(directory, 0o700) == 0 { try Self.syncDirectory(parent) }
        var random = SystemRandomNumberGenerator()
        let temporary = temporaryDirectory + "/" + String(random.next() as UInt64, radix: 16) + ".tmp"
        let (fd, direct) = DirectIO.open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Self.failure(temporary, errno) }
        var renamed = false
        defer { if !renamed { unlink(temporary) } }
        do throws(ChunkStoreError) {
            do throws(POSIX.CallFailure) { try DirectIO.write(fd, bytes, direct: direct, path: temporary) } catch { throw Self.mapped(error) }
            if sync { guard fsync(fd) == 0 else { throw Self.failure(temporary, errno) } }
        } catch {
            close(fd)
            throw error
        }
        guard close(fd) == 0 else { throw Self.failure(temporary, errno) }
        let final = directory + "/" + address.description
        guard rename(temporary, final) == 0 else { throw Self.failure(final, errno) }
        renamed = true
        return directory
    }

    /// The whole file of `address`, nil when it does not exist; refuses files over `limit` bytes.
    func read(_ address: ChunkAddress, limit: Int) throws(ChunkStoreError) -> [UInt8]? {
        let path = path(of: address)
        let (fd, direct) = DirectIO.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw Self.failure(path, errno)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw Self.failure(path, errno) }
        let size = Int(info.st_size)
        // An oversized file is no chunk file: answered empty, so decoding reports it corrupt.
        guard size <= limit else { return [] }
        do throws(POSIX.CallFailure) { return try DirectIO.read(fd, count: size, direct: direct, path: path) } catch { throw Self.mapped(error) }
    }

    /// Flushes every file of the store's file system to disk (syncfs(2)): one call for all the
    /// chunk files a staging wrote, instead of one fsync (and one journal commit) each.
    func syncFileSystem() throws(ChunkStoreError) {
        let fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw Self.failure(root, errno) }
        defer { close(fd) }
        guard syncfs(fd) == 0 else { throw Self.failure(root, errno) }
    }

    /// The size of the chunk file of `address`, nil when it does not exist.
    func size(of address: ChunkAddress) -> Int? {
        var info = stat()
        return stat(path(of: address), &info) == 0 ? Int(info.st_size) : nil
    }

    /// Removes the chunk file of `address`, if any.
    func remove(_ address: ChunkAddress) {
        unlink(path(of: address))
    }

    /// Deletes every file in `tmp/`: leftovers of writes a crash interrupted, never renamed, so
    /// never part of the store.
    func removeTemporaryFiles() throws(ChunkStoreError) -> Int {
        let names = try Self.list(temporaryDirectory)
        for name in names { unlink(temporaryDirectory + "/" + name) }
        if !names.isEmpty { try Self.syncDirectory(temporaryDirectory) }
        return names.count
    }

    /// Every file under `chunks/`, as (file name, path).
    func chunkFiles() throws(ChunkStoreError) -> [(name: String, path: String)] {
        var files: [(String, String)] = []
        for outer in try Self.list(chunksDirectory) {
            let outerPath = chunksDirectory + "/" + outer
            for inner in try Self.list(outerPath) {
                let innerPath = outerPath + "/" + inner
                for name in try Self.list(innerPath) { files.append((name, innerPath + "/" + name)) }
            }
        }
        return files
    }

    static func list(_ directory: String) throws(ChunkStoreError) -> [String] {
        do throws(POSIX.CallFailure) {
            return try POSIX.list(directory)
        } catch {
            if error.code == ENOTDIR || error.code == ENOENT { return [] }
            throw mapped(error)
        }
    }

    static func syncDirectory(_ directory: String) throws(ChunkStoreError) {
        do throws(POSIX.CallFailure) { try POSIX.syncDirectory(directory) } catch { throw mapped(error) }
    }

}
