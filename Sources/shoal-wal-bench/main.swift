// Fsynced appends per second of the Raft log on this disk, for batches of 1, 16 and 256
// entries of 100 bytes, each batch with its hard state: what one `Ready` costs.
//
//   swift run -c release shoal-wal-bench [directory] [seconds-per-case]
//
// The directory (default ./.build/wal-bench) must be on the disk being measured: /tmp may
// be a tmpfs, where fsync is free.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Foundation
import ShoalAgent
import ShoalConsensus

let arguments = CommandLine.arguments
let root = arguments.count > 1 ? arguments[1] : ".build/wal-bench"
let seconds = arguments.count > 2 ? Double(arguments[2]) ?? 3 : 3

func now() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

func removeTree(_ path: String) { try? FileManager.default.removeItem(atPath: path) }

let data = [UInt8](repeating: 0x5a, count: 100)
print("batch  batches/s  entries/s  µs/batch   (\(seconds) s per case, 100-byte entries, one fdatasync per batch, \(root))")
for batch in [1, 16, 256] {
    let directory = root + "/batch-\(batch)"
    removeTree(directory)
    do {
        let storage = try RaftStorage(directory: directory)
        var batches = 0
        let start = now()
        var elapsed = 0.0
        while elapsed < seconds {
            let first = storage.lastIndex + 1
            let entries = (first..<first + UInt64(batch)).map { Entry(term: 1, index: $0, data: data) }
            try storage.persist(snapshot: nil, entries: entries, hardState: HardState(term: 1, commit: first))
            batches += 1
            elapsed = now() - start
        }
        let rate = Double(batches) / elapsed
        let line = [
            String(batch).padding(5), String(Int(rate)).padding(9), String(Int(rate * Double(batch))).padding(9),
            String(Int(1e6 / rate)).padding(8),
        ]
        print(line.joined(separator: "  "))
    } catch {
        print("batch \(batch): \(error)")
        exit(1)
    }
    removeTree(directory)
}

extension String {
    func padding(_ width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}
