// The child process of the chunk store's kill -9 test (Tests/ShoalAgentTests/ChunkStoreCrashTests).
// Usage: shoal-store-crash DIRECTORY SEED COUNT
// Puts COUNT objects cut from a small pool of chunks (so they share chunks), deletes every
// third one it put before, and after each call returns prints `put ID` or `deleted ID` and
// flushes, so the parent knows exactly which calls returned before it sent SIGKILL; before each
// delete it prints `deleting ID`, so the parent knows which object may be either.
#if canImport(Glibc)
import Glibc
#endif
import ShoalAgent
import ShoalObjects
import ShoalRandom

/// Writes one line to `fd` with a single write(2): no stdio buffer, so a line is out before the
/// next call starts.
func say(_ line: String, to fd: Int32 = 1) {
    let bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
}

let arguments = CommandLine.arguments
guard arguments.count == 4, let seed = UInt64(arguments[2]), let count = Int(arguments[3]) else {
    say("usage: shoal-store-crash DIRECTORY SEED COUNT", to: 2)
    exit(2)
}
var random = SeededGenerator(seed: seed)
let chunkSize = try ChunkSize(bytes: 4096)
// Half compressible, half random: both encodings are written under the kill.
let pool: [[UInt8]] = (0..<12).map { index in
    index % 2 == 0
        ? [UInt8](repeating: UInt8(index), count: 4096)
        : (0..<4096).map { _ in UInt8.random(in: 0...255, using: &random) }
}
do {
    let store = try ChunkStore(directory: arguments[1])
    var stored: [ObjectID] = []
    for number in 0..<count {
        var bytes: [UInt8] = []
        for _ in 0..<Int.random(in: 1...6, using: &random) { bytes += pool[Int.random(in: 0..<pool.count, using: &random)] }
        // A unique tail of up to eight chunks, so every put writes several new chunk files and a
        // kill often lands between their renames and the index commit.
        bytes += (0..<Int.random(in: 1...32_768, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
        var chunker = Chunker(chunkSize: chunkSize)
        var chunks = try chunker.append(bytes).map(\.bytes)
        let (last, manifest) = try chunker.finish()
        if let last { chunks.append(last.bytes) }
        try store.put(manifest, pin: number % 5 == 0 ? .home : .cached, chunks: chunks)
        say("put \(manifest.id)")
        stored.append(manifest.id)
        if number % 3 == 2 {
            let victim = stored.remove(at: Int.random(in: 0..<stored.count, using: &random))
            // Said before the call: a kill after the delete's commit and before `deleted` leaves
            // the object gone, and the parent must not count it as a lost put.
            say("deleting \(victim)")
            try store.delete(victim)
            say("deleted \(victim)")
        }
    }
} catch {
    say("shoal-store-crash: \(error)", to: 2)
    exit(1)
}
