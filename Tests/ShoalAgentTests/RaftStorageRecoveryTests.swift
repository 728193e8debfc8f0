import Foundation
import ShoalConsensus
import Testing

@testable import ShoalAgent

@Suite("RaftStorage: recovery on open")
struct RaftStorageRecoveryTests {
    /// A log of entries 1…5, one batch each, then entry 6 alone: the last record spans
    /// `lastRecord` of the only segment.
    static func logEndingInOneRecord() throws -> (log: RaftLogDirectory, lastRecord: Range<Int>) {
        let log = RaftLogDirectory()
        let storage = try log.open()
        for index in LogIndex(1)...5 { try storage.append(RaftFixtures.entries(index...index)) }
        let start = try log.size(log.segments()[0])
        try storage.append(RaftFixtures.entries(6...6))
        let end = try log.size(log.segments()[0])
        return (log, start..<end)
    }

    @Test("a torn last record, cut at any byte, is truncated with a notice and everything before it kept")
    func tornTailAtEveryOffset() throws {
        let (log, record) = try Self.logEndingInOneRecord()
        for cut in record.lowerBound + 1..<record.upperBound {
            let copy = try log.copy(truncatingLastSegmentTo: cut)
            let (recovered, notices) = try Self.recoverAndAppend(copy)
            #expect(recovered == RaftFixtures.entries(1...5), "cut at \(cut)")
            #expect(notices == [record.lowerBound], "cut at \(cut)")
            // The torn bytes are gone from the disk: what was appended next follows entry 5.
            let reopened = try Self.storedEntries(copy)
            #expect(reopened == RaftFixtures.entries(1...5) + RaftFixtures.entries(6...6, term: 2), "cut at \(cut)")
        }
    }

    /// Opens `log`, notes what it recovered, appends entry 6 at term 2, and closes it again.
    static func recoverAndAppend(_ log: RaftLogDirectory) throws -> (entries: [Entry], noticeOffsets: [Int]) {
        let storage = try log.open()
        let result = (storage.entries, storage.recoveryNotices.map(\.offset))
        try storage.append(RaftFixtures.entries(6...6, term: 2))
        return result
    }

    static func storedEntries(_ log: RaftLogDirectory) throws -> [Entry] { try log.open().entries }

    @Test("a last record whose checksum fails is a torn write: truncated, the rest kept")
    func badChecksumAtTheEnd() throws {
        let (log, record) = try Self.logEndingInOneRecord()
        let storage = try log.copy(flippingBitAt: record.upperBound - 1).open()
        #expect(storage.entries == RaftFixtures.entries(1...5) && storage.recoveryNotices.count == 1)
    }

    @Test("zeros after the last record (allocated, never written) are a torn write")
    func zeroTail() throws {
        let (log, record) = try Self.logEndingInOneRecord()
        let file = try log.segments()[0]
        try log.write(try log.bytes(file) + [UInt8](repeating: 0, count: 100), to: file)
        let storage = try log.open()
        #expect(storage.entries == RaftFixtures.entries(1...6) && storage.recoveryNotices.map(\.offset) == [record.upperBound])
    }

    @Test(
        "a flipped bit in a middle record stops open with the segment and offset",
        arguments: [("payload", 12 + 4), ("length", 1), ("header checksum", 5), ("payload checksum", 9)])
    func flippedBitInTheMiddle(field: String, offsetInRecord: Int) throws {
        let log = RaftLogDirectory()
        let storage = try log.open()
        try storage.append(RaftFixtures.entries(1...1))
        let middle = try log.size(log.segments()[0])
        try storage.append(RaftFixtures.entries(2...2))
        try storage.append(RaftFixtures.entries(3...3))
        let copy = try log.copy(flippingBitAt: middle + offsetInRecord)
        let error = #expect(throws: RaftStorageError.self) { try copy.open() }
        guard case .corruptRecord(let segment, let offset, _) = error else {
            Issue.record("\(field): expected corruptRecord, got \(String(describing: error))")
            return
        }
        let damaged = try copy.segments()[0]
        #expect(segment == damaged && offset == middle, "\(field)")
    }

    @Test("a torn record at the end of a segment that is not the last stops open")
    func tornRecordBeforeTheLastSegment() throws {
        let log = RaftLogDirectory()
        do {
            let storage = try log.open(segmentSize: 256)
            for start in stride(from: LogIndex(1), through: 41, by: 5) { try storage.append(RaftFixtures.entries(start...start + 4)) }
        }
        let first = try log.segments()[0]
        let bytes = try log.bytes(first)
        try log.write(Array(bytes.dropLast(3)), to: first)
        let error = #expect(throws: RaftStorageError.self) { try log.open(segmentSize: 256) }
        guard case .corruptRecord(let segment, _, _) = error else {
            Issue.record("expected corruptRecord, got \(String(describing: error))")
            return
        }
        #expect(segment == first)
    }

    @Test("a missing middle segment stops open, naming it")
    func missingMiddleSegment() throws {
        let log = RaftLogDirectory()
        do {
            let storage = try log.open(segmentSize: 256)
            for start in stride(from: LogIndex(1), through: 46, by: 5) { try storage.append(RaftFixtures.entries(start...start + 4)) }
        }
        let segments = try log.segments()
        #expect(segments.count > 3)
        try FileManager.default.removeItem(atPath: segments[2])
        let error = #expect(throws: RaftStorageError.self) { try log.open(segmentSize: 256) }
        guard case .missingSegment(_, let expected, _) = error else {
            Issue.record("expected missingSegment, got \(String(describing: error))")
            return
        }
        #expect(expected == 2)
    }

    @Test("the oldest segment removed without a snapshot covering it stops open")
    func missingOldestSegment() throws {
        let log = RaftLogDirectory()
        do {
            let storage = try log.open(segmentSize: 256)
            for start in stride(from: LogIndex(1), through: 46, by: 5) { try storage.append(RaftFixtures.entries(start...start + 4)) }
        }
        try FileManager.default.removeItem(atPath: log.segments()[0])
        let error = #expect(throws: RaftStorageError.self) { try log.open(segmentSize: 256) }
        guard case .uncoveredPrefix(_, let from, _) = error else {
            Issue.record("expected uncoveredPrefix, got \(String(describing: error))")
            return
        }
        #expect(from == 1)
    }

    @Test("every error message says what to do")
    func messages() {
        let error = RaftStorageError.corruptRecord(segment: "/var/lib/shoal/raft/0-1.wal", offset: 4096, reason: "record checksum mismatch")
        #expect(error.description.contains("/var/lib/shoal/raft/0-1.wal at byte 4096") && error.description.contains("Restore"))
    }
}
