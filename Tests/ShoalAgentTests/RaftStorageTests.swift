import Foundation
import ShoalConsensus
import Testing

@testable import ShoalAgent

@Suite("RaftStorage: what it stores comes back")
struct RaftStorageTests {
    @Test("entries, hard state and snapshot survive a reopen")
    func roundTrip() throws {
        let log = RaftLogDirectory()
        let snapshot = RaftFixtures.snapshot(5, term: 2)
        let entries = [
            Entry(term: 2, index: 6, kind: .noOp),
            Entry(term: 3, index: 7, kind: .configuration, data: Configuration(voters: [RaftFixtures.a]).encoded),
            Entry(term: 3, index: 8, data: Array("hello".utf8)),
        ]
        let hardState = HardState(term: 3, vote: RaftFixtures.a, commit: 7)
        do {
            let storage = try log.open()
            try storage.persist(snapshot: snapshot, entries: entries, hardState: hardState)
        }
        let reopened = try log.open()
        #expect(reopened.persistedState == PersistedState(hardState: hardState, snapshot: snapshot, entries: entries))
    }

    @Test("a new directory opens as an empty log at index 0")
    func emptyLog() throws {
        let storage = try RaftLogDirectory().open()
        #expect(storage.lastIndex == 0 && storage.entries.isEmpty && storage.hardState == HardState())
    }

    @Test("an entry that conflicts supersedes every stored entry from its index on, across segments too")
    func conflictTruncation() throws {
        let log = RaftLogDirectory()
        do {
            let storage = try log.open(segmentSize: 256)
            for start in stride(from: LogIndex(1), through: 46, by: 5) {
                try storage.append(RaftFixtures.entries(start...start + 4))
            }
            try storage.append(RaftFixtures.entries(10...12, term: 2))
        }
        let reopened = try log.open(segmentSize: 256)
        #expect(reopened.entries == RaftFixtures.entries(1...9) + RaftFixtures.entries(10...12, term: 2))
    }

    @Test("entries that would leave a gap are refused and nothing is written")
    func gapRefused() throws {
        let log = RaftLogDirectory()
        let storage = try log.open()
        try storage.append(RaftFixtures.entries(1...3))
        let size = try log.size(log.segments()[0])
        #expect(throws: RaftStorageError.self) { try storage.append(RaftFixtures.entries(5...6)) }
        #expect(try log.size(log.segments()[0]) == size)
    }

    @Test("a full segment rolls over to one named by its sequence and first index")
    func rollover() throws {
        let log = RaftLogDirectory()
        do {
            let storage = try log.open(segmentSize: 1024)
            for start in stride(from: LogIndex(1), through: 196, by: 5) {
                try storage.append(RaftFixtures.entries(start...start + 4, size: 50))
            }
        }
        let names = try log.segments().map { ($0 as NSString).lastPathComponent }
        #expect(names.count > 5)
        #expect(names.first == "0000000000000000-0000000000000001.wal")
        #expect(try log.open(segmentSize: 1024).entries == RaftFixtures.entries(1...200, size: 50))
    }

    @Test("compaction removes the segments no live entry needs, and the log reopens from the snapshot")
    func compaction() throws {
        let log = RaftLogDirectory()
        let snapshot = RaftFixtures.snapshot(150, term: 1)
        let before: Int
        do {
            let storage = try log.open(segmentSize: 1024)
            for start in stride(from: LogIndex(1), through: 196, by: 5) {
                try storage.append(RaftFixtures.entries(start...start + 4, size: 50))
            }
            try storage.save(HardState(term: 1, vote: RaftFixtures.b, commit: 200))
            before = try log.segments().count
            try storage.compact(through: snapshot)
        }
        #expect(try log.segments().count < before - 3)
        let reopened = try log.open(segmentSize: 1024)
        #expect(
            reopened.persistedState
                == PersistedState(
                    hardState: HardState(term: 1, vote: RaftFixtures.b, commit: 200), snapshot: snapshot,
                    entries: RaftFixtures.entries(151...200, size: 50)))
    }

    @Test("installing a snapshot drops every entry and every older segment, and keeps the hard state")
    func install() throws {
        let log = RaftLogDirectory()
        let snapshot = RaftFixtures.snapshot(500, term: 4)
        do {
            let storage = try log.open(segmentSize: 1024)
            for start in stride(from: LogIndex(1), through: 96, by: 5) {
                try storage.append(RaftFixtures.entries(start...start + 4, size: 50))
            }
            try storage.save(HardState(term: 4, vote: RaftFixtures.a, commit: 90))
            try storage.install(snapshot)
        }
        #expect(try log.segments().count == 1)
        let reopened = try log.open(segmentSize: 1024)
        #expect(
            reopened.persistedState
                == PersistedState(hardState: HardState(term: 4, vote: RaftFixtures.a, commit: 90), snapshot: snapshot, entries: []))
    }

    @Test("a second open of the same directory is refused while the first holds it")
    func locked() throws {
        let log = RaftLogDirectory()
        let first = try log.open()
        // Straight to RaftStorage: `log.open()` retries `.locked` for 10 s.
        #expect(throws: RaftStorageError.locked(directory: log.path)) { try RaftStorage(directory: log.path) }
        withExtendedLifetime(first) {}
    }

    @Test("CRC-32C matches the standard check value")
    func checksum() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        let long = (0..<1000).map { UInt8(truncatingIfNeeded: $0 * 13) }
        var bitwise: UInt32 = 0xFFFF_FFFF
        for byte in long {
            bitwise ^= UInt32(byte)
            for _ in 0..<8 { bitwise = bitwise & 1 == 1 ? (bitwise >> 1) ^ 0x82F6_3B78 : bitwise >> 1 }
        }
        #expect(CRC32C.checksum(long) == ~bitwise)
    }
}
