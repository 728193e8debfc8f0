// fuzz-wal: the Raft log on disk and the bootstrap promise beside it (ShoalAgent Consensus:
// WALRecord, WALFrame, RaftStorage recovery, PromiseFile), what a restarted agent reads back
// after a crash, a torn write or a damaged disk.
//
// Input: a mode byte, then by mode % 4:
//   0  one record's payload (type byte and body), its checksums taken as matching;
//   1  a segment file, scanned record by record;
//   2  a segment file (sequence 0, first index 1) in an otherwise empty log directory, opened;
//   3  a `raft.promise` file, loaded.
import Foundation
import FuzzSupport
@testable import ShoalAgent
import ShoalConsensus

@main
enum FuzzWAL {
    static func main() { runLibFuzzer(seeds: seeds(), fuzz) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    switch input.byte() % 4 {
    case 0: checkRecord(input.rest())
    case 1: checkScan(input.rest())
    case 2: checkOpen(input.rest())
    default: checkPromise(input.rest())
    }
    return 0
}

/// A record decodes to one that encodes and decodes back to itself, or is refused.
func checkRecord(_ payload: [UInt8]) {
    guard case .success(let record) = WALRecord.decode(payload[...]) else { return }
    var bytes: [UInt8] = []
    record.encode(into: &bytes)
    guard case .success(let again) = WALRecord.decode(bytes[...]) else { fatalError("an encoded record does not decode") }
    require(again == record, "a record encodes and decodes as another")
}

/// Every scan moves forward and stays inside the file, and only a record-boundary end is `end`.
func checkScan(_ bytes: [UInt8]) {
    var offset = 0
    while true {
        let scan = WALFrame.scan(bytes, at: offset)
        _ = WALFrame.isTornTail(scan, bytes: bytes, offset: offset)
        switch scan {
        case .end:
            require(offset == bytes.count, "a scan ended at \(offset) of \(bytes.count)")
            return
        case .record(let record, let end):
            require(end > offset && end <= bytes.count, "a record ends at \(end), from \(offset) in \(bytes.count) bytes")
            var framed: [UInt8] = []
            guard (try? WALFrame.append(record, to: &framed)) != nil, case .record(let again, let length) = WALFrame.scan(framed, at: 0),
                again == record, length == framed.count
            else { fatalError("a scanned record does not frame and scan back") }
            offset = end
        case .incomplete, .invalid: return
        case .damaged(_, let end):
            if let end { require(end > offset && end <= bytes.count, "a damaged record claims to end at \(end)") }
            return
        }
    }
}

let segmentName = "0000000000000000-0000000000000001.wal"

/// Opens (repairing a torn tail) or refuses with a recovery error; a log that opens opens again
/// to the same state, and takes an entry after its last that the next open finds.
func checkOpen(_ segment: [UInt8]) {
    let directory = ScratchFile.fresh("raft")
    removeDirectory(directory)
    mkdir(directory, 0o700)
    _ = ScratchFile.write(segment, name: "raft/" + segmentName)
    let state: PersistedState
    do {
        let storage = try RaftStorage(directory: directory)
        state = storage.persistedState
        storage.closeFiles()
    } catch {
        switch error {
        case .corruptRecord, .missingEntries, .uncoveredPrefix: return
        default: fatalError("a segment was refused with \(error), not a recovery error")
        }
    }
    do {
        let storage = try RaftStorage(directory: directory)
        require(storage.persistedState == state && storage.recoveryNotices.isEmpty, "a recovered log opens again as another")
        let next = Entry(term: max(state.hardState.term, state.entries.last?.term ?? state.snapshot.metadata.term), index: storage.lastIndex + 1, data: [42])
        try storage.append([next])
        storage.closeFiles()
        let reopened = try RaftStorage(directory: directory)
        require(reopened.entries.last == next && reopened.entries.count == state.entries.count + 1, "an entry appended after recovery was lost")
        reopened.closeFiles()
    } catch {
        fatalError("a recovered log failed: \(error)")
    }
}

/// Loads a promise that saves and loads back as itself, or refuses the file as malformed.
func checkPromise(_ bytes: [UInt8]) {
    let path = ScratchFile.write(bytes, name: "raft.promise")
    let promise: Bootstrap.Promise?
    do {
        promise = try PromiseFile.load(path)
    } catch {
        guard error is PromiseFile.Malformed else { fatalError("a promise file was refused with \(error)") }
        return
    }
    guard let promise else { fatalError("an existing promise file read as none") }
    require(Bootstrap.isWellFormed(voters: promise.voters, coordinator: promise.coordinator), "a malformed promise loaded")
    let copy = ScratchFile.fresh("copy.promise")
    do {
        try PromiseFile.save(promise, at: copy)
        let again = try PromiseFile.load(copy)
        require(again == promise, "a promise saves and loads as another")
    } catch {
        fatalError("a loaded promise does not save and load: \(error)")
    }
}

func removeDirectory(_ path: String) {
    for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] { unlink(path + "/" + name) }
    rmdir(path)
}

func seeds() -> [(name: String, bytes: [UInt8])] {
    let a = ReplicaID(bytes: Array(repeating: 1, count: 32))!, b = ReplicaID(bytes: Array(repeating: 2, count: 32))!
    let configuration = Configuration(voters: [a, b])
    let snapshot = Snapshot(metadata: SnapshotMetadata(index: 5, term: 2, configuration: configuration), data: [7, 7])
    let records: [WALRecord] = [
        .entry(Entry(term: 3, index: 6, kind: .normal, data: [1, 2, 3])),
        .entry(Entry(term: 3, index: 7, kind: .configuration, data: configuration.encoded)),
        .hardState(HardState(term: 3, vote: a, commit: 6)),
        .hardState(HardState(term: 4)),
        .snapshot(snapshot, replacesLog: false),
        .segmentHeader(sequence: 0, firstIndex: 1, base: snapshot),
    ]
    var seeds: [(name: String, bytes: [UInt8])] = records.enumerated().map { offset, record in
        var bytes: [UInt8] = [0]
        record.encode(into: &bytes)
        return ("record-\(offset)", bytes)
    }
    // A real log, as RaftStorage writes it: a header, a vote, entries, a compaction.
    let directory = ScratchFile.fresh("seed-raft")
    removeDirectory(directory)
    let storage = try! RaftStorage(directory: directory)
    try! storage.persist(snapshot: nil, entries: [Entry(term: 1, index: 1, kind: .configuration, data: configuration.encoded)],
                         hardState: HardState(term: 1, vote: a, commit: 0))
    try! storage.append((2...4).map { Entry(term: 1, index: $0, data: Array("entry \($0)".utf8)) })
    try! storage.save(HardState(term: 2, vote: b, commit: 3))
    let segment = [UInt8](FileManager.default.contents(atPath: storage.segmentFiles[0])!)
    storage.closeFiles()
    removeDirectory(directory)
    seeds += [
        ("segment-scan", [1] + segment),
        ("segment-open", [2] + segment),
        ("segment-torn", [2] + segment.dropLast(5)),
        ("promise", [3] + Array("SHOALBP1".utf8) + a.bytes + [2] + a.bytes + b.bytes),
    ]
    return seeds
}
