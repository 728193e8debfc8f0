import Foundation
import ShoalObjects
@testable import ShoalAgent

/// Objects and directories for the chunk store tests.
enum ChunkStoreFixtures {
    static let smallChunks = try! ChunkSize(bytes: 4096)

    /// A fresh empty directory under the system temporary directory.
    static func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("chunkstore-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func randomBytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255) }
    }

    /// `bytes` cut into chunks of `chunkSize`: the manifest and the chunks in order.
    static func object(_ bytes: [UInt8], chunkSize: ChunkSize = smallChunks) throws -> (manifest: Manifest, chunks: [[UInt8]]) {
        var chunker = Chunker(chunkSize: chunkSize)
        var chunks = try chunker.append(bytes).map(\.bytes)
        let (last, manifest) = try chunker.finish()
        if let last { chunks.append(last.bytes) }
        return (manifest, chunks)
    }

    /// Puts `bytes` as one object and answers its manifest.
    @discardableResult
    static func put(_ bytes: [UInt8], in store: ChunkStore, pin: ObjectPin = .cached, chunkSize: ChunkSize = smallChunks) throws -> Manifest {
        let (manifest, chunks) = try object(bytes, chunkSize: chunkSize)
        try store.put(manifest, pin: pin, chunks: chunks)
        return manifest
    }

    /// Reads every chunk of a stored object back and concatenates them.
    static func readBack(_ id: ObjectID, from store: ChunkStore) throws -> [UInt8]? {
        guard let manifest = try store.manifest(of: id) else { return nil }
        var bytes: [UInt8] = []
        for address in manifest.chunks { bytes += try store.read(chunk: address) }
        return bytes
    }

    /// Number of files under `<root>/chunks`.
    static func chunkFileCount(_ root: String) throws -> Int {
        try ChunkFiles(root: root).chunkFiles().count
    }
}
