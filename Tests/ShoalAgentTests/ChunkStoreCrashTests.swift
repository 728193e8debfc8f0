#if canImport(Glibc)
import Glibc
#endif
import Foundation
import ShoalObjects
import ShoalTestSupport
import Testing
@testable import ShoalAgent

@Suite("Chunk store: kill -9 during puts", .offCooperativePool)
struct ChunkStoreCrashTests {
    /// The helper built beside the tests: $SHOAL_STORE_CRASH, else the debug build.
    static var helper: String {
        if let path = ProcessInfo.processInfo.environment["SHOAL_STORE_CRASH"], !path.isEmpty { return path }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../.build/debug/shoal-store-crash").standardized.path
    }

    /// Runs the helper until it has reported `lines` calls (or 10 s pass), waits a random few
    /// milliseconds more so the kill lands anywhere inside a put or delete, and sends SIGKILL.
    /// Answers the lines it printed.
    static func runAndKill(directory: String, seed: UInt64, afterLines lines: Int) throws -> [String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: helper)
        process.arguments = [directory, "\(seed)", "10000"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let fd = output.fileHandleForReading.fileDescriptor
        var text = ""
        let deadline = ContinuousClock.now + .seconds(10)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while text.count(where: { $0 == "\n" }) < lines, ContinuousClock.now < deadline {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 1000) > 0 else { continue }
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            text += String(decoding: buffer[0..<count], as: UTF8.self)
        }
        usleep(UInt32.random(in: 0...10_000))
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        // Whatever the helper printed before it died: every line there is a call that returned.
        let rest = output.fileHandleForReading.readDataToEndOfFile()
        text += String(decoding: rest, as: UTF8.self)
        #expect(process.terminationReason == .uncaughtSignal, "the helper was to be killed mid-run, not finish or fail")
        return text.split(separator: "\n").map(String.init)
    }

    @Test("after kill -9 at random points the store reopens consistent: every returned put reads back, no orphan or temp file")
    func killDuringPuts() throws {
        let directory = try ChunkStoreFixtures.temporaryDirectory() + "/objects"
        var live: Set<String> = []
        var deleted: Set<String> = []
        var uncertain: Set<String> = []
        var putRound: [String: Int] = [:]
        for round in 0..<10 {
            let lines = try Self.runAndKill(directory: directory, seed: UInt64.random(in: 0...UInt64.max), afterLines: Int.random(in: 5...40))
            for line in lines {
                let parts = line.split(separator: " ")
                guard parts.count == 2 else { continue }
                let id = String(parts[1])
                switch parts[0] {
                case "put":
                    live.insert(id)
                    putRound[id] = round
                case "deleting":
                    // Until `deleted` is printed the delete may or may not have committed.
                    live.remove(id)
                    uncertain.insert(id)
                case "deleted":
                    uncertain.remove(id)
                    deleted.insert(id)
                default:
                    break
                }
            }
            // A delete cut off by the kill either happened or did not; either way it is settled now.
            let store = try ChunkStore(directory: directory)
            let stored = Set(try store.objects().map(\.description))
            for id in uncertain {
                if stored.contains(id) { live.insert(id) } else { deleted.insert(id) }
            }
            uncertain = []
            #expect(try store.audit() == [], "round \(round)")
            #expect(live.subtracting(stored).isEmpty, "round \(round): puts that returned are missing: \(live.subtracting(stored).map { "\($0) put in round \(putRound[$0] ?? -1)" }) lines \(lines.count) last \(lines.suffix(3))")
            #expect(stored.isDisjoint(with: deleted), "round \(round): a delete that returned is undone")
            for id in try store.objects() {
                let manifest = try #require(try store.manifest(of: id))
                for address in manifest.chunks { _ = try store.read(chunk: address) }
            }
        }
        #expect(!live.isEmpty)
    }
}
