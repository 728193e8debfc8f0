import Foundation
import GRDB
import ShoalObjects

extension ChunkStore {
    /// Checks the whole store against its invariants and answers every violation found (empty
    /// when consistent): each chunk's count equals the number of objects listing it, every
    /// listed chunk has a row and a file that verifies, no chunk file lacks a row, `tmp/` is
    /// empty. Reads every chunk: for tests and `shoal` repair tooling, not the hot path.
    public func audit() throws(ChunkStoreError) -> [String] {
        var problems: [String] = []
        let (expected, rows) = try index.read { db in
            var expected: [ChunkAddress: Int] = [:]
            for data in try Data.fetchAll(db, sql: "SELECT manifest FROM object") {
                for address in Set(try Manifest(decoding: Array(data)).chunks) { expected[address, default: 0] += 1 }
            }
            var rows: [ChunkAddress: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT address, refcount FROM chunk") {
                let data: Data = row["address"]
                rows[ChunkAddress(try Multihash(bytes: Array(data)))] = row["refcount"]
            }
            return (expected, rows)
        }
        for (address, count) in expected where rows[address] != count {
            problems.append("chunk \(address): \(count) objects list it but its count is \(rows[address] ?? 0)")
        }
        for address in rows.keys where expected[address] == nil {
            problems.append("chunk \(address) has a row but no object lists it")
        }
        let hexes = Set(rows.keys.map(\.description))
        for file in try files.chunkFiles() where !hexes.contains(file.name) {
            problems.append("chunk file \(file.path) has no index row")
        }
        for address in rows.keys {
            guard let row = try index.read({ db in try db.chunkRow(address) }),
                let file = try files.read(address, limit: ChunkEncoding.headerSize + 2 * row.length + 4096)
            else {
                problems.append("chunk \(address) has no file")
                continue
            }
            if case .success(let bytes) = ChunkEncoding.decode(file, maxSize: row.length), address.isAddress(of: bytes) { continue }
            problems.append("chunk \(address) does not verify")
        }
        let leftovers = try ChunkFiles.list(files.temporaryDirectory)
        if !leftovers.isEmpty { problems.append("\(leftovers.count) temporary files in \(files.temporaryDirectory)") }
        return problems
    }
}

extension ChunkStore {
    /// How the chunk's file is encoded, read from its header; nil without a file.
    func storedEncoding(of address: ChunkAddress) throws(ChunkStoreError) -> ChunkEncoding? {
        guard let file = try files.read(address, limit: Int.max), file.count >= ChunkEncoding.headerSize else { return nil }
        return ChunkEncoding(rawValue: file[4])
    }
}
