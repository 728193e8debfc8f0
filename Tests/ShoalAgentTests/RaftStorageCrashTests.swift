import Foundation
import ShoalConsensus
import ShoalRandom
import ShoalTestSupport
import Testing

@testable import ShoalAgent

/// `shoal-wal-crash`, built beside the test binary: appends batches and prints "durable N"
/// after each fsync until it is killed.
struct WALWriterProcess {
    static var binary: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../.build/debug/shoal-wal-crash").standardized.path
    }

    let process = Process()
    let output: String

    init(directory: String, output: String, seed: UInt64, fileSizeLimit: Int? = nil) throws {
        self.output = output
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = [directory, "4096", String(seed)] + (fileSizeLimit.map { [String($0)] } ?? [])
        // A file, not a pipe: it is read after the kill, and a full pipe would stall the writer.
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    var lines: [String] {
        (try? String(contentsOfFile: output, encoding: .utf8))?.split(separator: "\n").map(String.init) ?? []
    }

    /// The highest index the writer reported durable.
    var lastDurable: LogIndex? {
        lines.compactMap { $0.hasPrefix("durable ") ? LogIndex($0.dropFirst(8)) : nil }.max()
    }

    /// Waits (at most `bound`) until the writer has reported `count` durable batches.
    func waitForDurable(_ count: Int, bound: Duration = .seconds(30)) throws {
        let deadline = ContinuousClock.now + bound
        while lines.filter({ $0.hasPrefix("durable ") }).count < count {
            guard ContinuousClock.now < deadline, process.isRunning else {
                throw WALWriterError.noProgress(lines.suffix(3).joined(separator: " | "))
            }
            Thread.sleep(forTimeInterval: 0.005)
        }
    }

    func kill() {
        sendKill(process.processIdentifier)
        process.waitUntilExit()
    }
}

private func sendKill(_ pid: Int32) { kill(pid, SIGKILL) }

enum WALWriterError: Error { case noProgress(String) }

@Suite("RaftStorage: kill -9 and full disks", .serialized, .offCooperativePool)
struct RaftStorageCrashTests {
    @Test("every index a writer reported durable before SIGKILL is there after reopen", arguments: [1, 2, 3])
    func killNine(seed: UInt64) throws {
        let log = RaftLogDirectory()
        var generator = SeededGenerator(seed: seed)
        var reported: LogIndex = 0
        for round in 0..<6 {
            let writer = try WALWriterProcess(
                directory: log.path, output: log.temporary.path + "/out-\(round)", seed: seed * 100 + UInt64(round))
            try writer.waitForDurable(1 + Int(generator.next() % 40))
            // A random moment in the middle of appending.
            Thread.sleep(forTimeInterval: Double(generator.next() % 30) / 1000)
            writer.kill()
            reported = max(reported, writer.lastDurable ?? 0)
            let storage = try log.open(segmentSize: 4096)
            #expect(storage.lastIndex >= reported, "round \(round)")
            let first = storage.snapshot.metadata.index + 1
            #expect(storage.entries.map(\.index) == Array(first..<first + LogIndex(storage.entries.count)), "round \(round)")
            #expect(storage.entries.allSatisfy { $0.data == Self.payload($0.index) }, "round \(round)")
        }
        #expect(reported > 0)
    }

    @Test("a full disk during append is a typed error and leaves the log as it was")
    func diskFull() throws {
        let log = RaftLogDirectory()
        let writer = try WALWriterProcess(
            directory: log.path, output: log.temporary.path + "/out", seed: 9, fileSizeLimit: 3000)
        // Bounded: a writer that stopped honouring the file-size limit would never exit.
        let deadline = ContinuousClock.now + .seconds(60)
        while writer.process.isRunning, ContinuousClock.now < deadline { usleep(20_000) }
        guard !writer.process.isRunning else {
            writer.process.terminate()
            Issue.record("the writer was still running 60 s after it should have hit the file-size limit")
            return
        }
        #expect(writer.process.terminationStatus == 3, "\(writer.lines.suffix(2))")
        let full = writer.lines.last.flatMap { $0.hasPrefix("full ") ? LogIndex($0.dropFirst(5)) : nil }
        let storage = try log.open(segmentSize: 4096)
        #expect(full == writer.lastDurable && storage.lastIndex == writer.lastDurable)
        #expect(storage.recoveryNotices.isEmpty, "the partial write was rolled back, not left for recovery")
    }

    /// What `shoal-wal-crash` writes at `index`.
    static func payload(_ index: LogIndex) -> [UInt8] {
        let length = Int(index % 200) + 1
        return (0..<length).map { UInt8(truncatingIfNeeded: index &* 31 &+ UInt64($0)) }
    }
}

