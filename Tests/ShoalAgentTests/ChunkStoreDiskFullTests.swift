import Foundation
import ShoalObjects
import ShoalTestSupport
import Testing
@testable import ShoalAgent

/// A 2 MiB tmpfs mounted for one test (needs root; the test is skipped where mount fails).
struct SmallTmpfs {
    let path: String

    static let available: Bool = {
        guard let probe = try? SmallTmpfs() else { return false }
        probe.unmount()
        return true
    }()

    init() throws {
        path = try ChunkStoreFixtures.temporaryDirectory()
        guard Self.run("/bin/mount", ["-t", "tmpfs", "-o", "size=2m", "tmpfs", path]) else {
            throw ChunkStoreError.fileSystem(path: path, reason: "mount -t tmpfs failed")
        }
    }

    func unmount() {
        _ = Self.run("/bin/umount", ["-l", path])
    }

    static func run(_ tool: String, _ arguments: [String]) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }
}

@Suite("Chunk store: a full disk", .offCooperativePool)
struct ChunkStoreDiskFullTests {
    @Test(
        "ENOSPC during a put is diskFull, leaves nothing half-written, and earlier objects still read back",
        .enabled(if: SmallTmpfs.available, "skipped: mounting a 2 MiB tmpfs failed (needs root and tmpfs)"))
    func diskFullDuringPut() throws {
        let disk = try SmallTmpfs()
        defer { disk.unmount() }
        let chunkSize = try ChunkSize(bytes: 65_536)
        var earlier: [(ObjectID, [UInt8])] = []
        do {
            let store = try ChunkStore(directory: disk.path + "/objects")
            for _ in 0..<4 {
                let bytes = ChunkStoreFixtures.randomBytes(150_000)
                earlier.append((try ChunkStoreFixtures.put(bytes, in: store, chunkSize: chunkSize).id, bytes))
            }
            let (huge, chunks) = try ChunkStoreFixtures.object(ChunkStoreFixtures.randomBytes(3 << 20), chunkSize: chunkSize)
            var failure: ChunkStoreError?
            do { try store.put(huge, chunks: chunks) } catch { failure = error }
            guard case .diskFull = failure else {
                Issue.record("a put larger than the disk answered \(String(describing: failure)), not diskFull")
                return
            }
            #expect(try !store.contains(huge.id))
            for (id, bytes) in earlier { #expect(try ChunkStoreFixtures.readBack(id, from: store) == bytes) }
            // The rollback freed the space, so the store takes puts again.
            earlier.append(
                (try ChunkStoreFixtures.put(Array(repeating: 1, count: 8192), in: store, chunkSize: chunkSize).id, Array(repeating: 1, count: 8192)))
        }
        do {
            let reopened = try ChunkStore(directory: disk.path + "/objects")
            #expect(try reopened.audit() == [])
            for (id, bytes) in earlier { #expect(try ChunkStoreFixtures.readBack(id, from: reopened) == bytes) }
        }
    }
}
