import Foundation
import ShoalConsensus

@testable import ShoalAgent

/// A Raft log directory inside a temporary directory, and the ways tests damage it.
struct RaftLogDirectory {
    let temporary = TemporaryDirectory()
    var path: String { temporary.path + "/raft" }

    /// Opens the log. A test that reopens a log it has just closed can find the lock still held
    /// for a moment: another test of the same process forking a child (agents and tasks are
    /// spawned all through the suite) shares the lock's open file description until the child
    /// execs. So `.locked` is retried, for at most 10 s, and then thrown.
    func open(segmentSize: Int = RaftStorage.defaultSegmentSize) throws -> RaftStorage {
        let deadline = ContinuousClock.now + .seconds(10)
        while true {
            do {
                return try RaftStorage(directory: path, segmentSize: segmentSize)
            } catch {
                guard case .locked = error, ContinuousClock.now < deadline else { throw error }
                usleep(10_000)
            }
        }
    }

    /// The segment files, oldest first.
    func segments() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasSuffix(".wal") }.sorted()
            .map { path + "/" + $0 }
    }

    func bytes(_ file: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: file))) }

    func write(_ bytes: [UInt8], to file: String) throws { try Data(bytes).write(to: URL(fileURLWithPath: file)) }

    func size(_ file: String) throws -> Int { try bytes(file).count }

    /// A copy of this log in a fresh directory, its last segment cut to `length` bytes.
    func copy(truncatingLastSegmentTo length: Int? = nil, flippingBitAt flip: Int? = nil) throws -> RaftLogDirectory {
        let copy = RaftLogDirectory()
        try FileManager.default.createDirectory(atPath: copy.path, withIntermediateDirectories: true)
        let files = try segments()
        for (position, file) in files.enumerated() {
            var contents = try bytes(file)
            if position == files.count - 1 {
                if let length { contents = Array(contents.prefix(length)) }
                if let flip { contents[flip] ^= 0x10 }
            }
            try copy.write(contents, to: copy.path + "/" + (file as NSString).lastPathComponent)
        }
        return copy
    }
}

/// Fixed replica ids and entries.
enum RaftFixtures {
    static let a = ReplicaID(bytes: [UInt8](repeating: 0xa1, count: 32))!
    static let b = ReplicaID(bytes: [UInt8](repeating: 0xb2, count: 32))!

    /// Entries `range` of `term`, each carrying bytes derived from its index.
    static func entries(_ range: ClosedRange<LogIndex>, term: Term = 1, size: Int = 20) -> [Entry] {
        range.map { Entry(term: term, index: $0, data: data(for: $0, size: size)) }
    }

    static func data(for index: LogIndex, size: Int = 20) -> [UInt8] {
        (0..<size).map { UInt8(truncatingIfNeeded: index &* 7 &+ UInt64($0)) }
    }

    static func snapshot(_ index: LogIndex, term: Term) -> Snapshot {
        Snapshot(
            metadata: SnapshotMetadata(index: index, term: term, configuration: Configuration(voters: [a, b])),
            data: Array("state through \(index)".utf8))
    }
}
