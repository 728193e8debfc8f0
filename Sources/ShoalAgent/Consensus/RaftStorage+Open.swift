#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import ShoalConsensus

extension RaftStorage {
    /// 64 MiB, as etcd's WAL: large enough that rollovers are rare, small enough to remove
    /// promptly after a compaction.
    public static let defaultSegmentSize = 64 << 20

    /// Opens the log in `directory` (created with mode 0700 if missing), replaying and checking
    /// every segment as the type's recovery rules say; an empty directory starts an empty log
    /// at index 0. Holds an exclusive lock on the directory until the storage is released.
    public convenience init(directory: String, segmentSize: Int = defaultSegmentSize) throws(RaftStorageError) {
        try WALFile.makeDirectory(directory)
        let lock = try WALFile.lock(directory)
        do throws(RaftStorageError) {
            let replay = try Replay.run(directory: directory)
            let last = replay.segments[replay.segments.count - 1]
            let tail = try WALFile.open(directory + "/" + last.fileName, create: false)
            self.init(
                directory: directory, segmentSize: segmentSize, lockDescriptor: lock, tail: tail,
                tailSize: replay.tailSize, state: replay.state, segments: replay.segments, recoveryNotices: replay.notices)
        } catch {
            close(lock)
            throw error
        }
    }
}

/// Rebuilds a `LogState` from the segments of a directory.
struct Replay {
    var state = LogState(snapshot: Snapshot(metadata: SnapshotMetadata(index: 0, term: 0, configuration: .empty)), hardState: HardState())
    var segments: [SegmentName] = []
    var tailSize = 0
    var notices: [RecoveryNotice] = []

    static func run(directory: String) throws(RaftStorageError) -> Replay {
        var replay = Replay()
        var names = try WALFile.list(directory).compactMap(SegmentName.init(fileName:)).sorted()
        for (offset, name) in names.enumerated() where offset > 0 && name.sequence != names[offset - 1].sequence + 1 {
            throw .missingSegment(directory: directory, expectedSequence: names[offset - 1].sequence + 1, found: name.fileName)
        }
        while let name = names.first {
            names.removeFirst()
            try replay.replay(directory + "/" + name.fileName, name: name, isLast: names.isEmpty, directory: directory)
        }
        if replay.segments.isEmpty {
            try replay.createFirstSegment(directory: directory)
        }
        if replay.state.holeEnd > replay.state.snapshot.metadata.index {
            throw .uncoveredPrefix(
                directory: directory, from: replay.state.snapshot.metadata.index + 1, through: replay.state.holeEnd)
        }
        return replay
    }

    private mutating func createFirstSegment(directory: String) throws(RaftStorageError) {
        let name = SegmentName(sequence: segments.last.map { $0.sequence + 1 } ?? 0, firstIndex: state.lastIndex + 1)
        var buffer: [UInt8] = []
        try WALFrame.append(.segmentHeader(sequence: name.sequence, firstIndex: name.firstIndex, base: state.snapshot), to: &buffer)
        try WALFrame.append(.hardState(state.hardState), to: &buffer)
        let path = directory + "/" + name.fileName
        let fd = try WALFile.open(path, create: true)
        defer { close(fd) }
        do throws(RaftStorageError) {
            try WALFile.writeAll(fd, buffer, path: path)
            try WALFile.sync(fd, path: path)
        } catch {
            try? WALFile.remove(path)
            throw error
        }
        try WALFile.syncDirectory(directory)
        segments.append(name)
        tailSize = buffer.count
    }

    private mutating func replay(_ path: String, name: SegmentName, isLast: Bool, directory: String) throws(RaftStorageError) {
        let fd = try WALFile.open(path, create: false)
        defer { close(fd) }
        let bytes = try WALFile.readAll(fd, path: path)
        var offset = 0
        var sawHeader = false
        while true {
            let scan = WALFrame.scan(bytes, at: offset)
            switch scan {
            case .end:
                guard sawHeader else {
                    // Created but never written: the crash came before the batch's fsync.
                    try dropTornSegment(path, name: name, isLast: isLast, bytes: bytes, reason: "an empty segment", directory: directory)
                    return
                }
                segments.append(name)
                tailSize = bytes.count
                return
            case .record(let record, let end):
                if sawHeader {
                    try apply(record, name: name, path: path, offset: offset)
                } else {
                    try begin(with: record, name: name, path: path)
                    sawHeader = true
                }
                offset = end
            case .incomplete(let reason), .damaged(let reason, _), .invalid(let reason):
                guard isLast, WALFrame.isTornTail(scan, bytes: bytes, offset: offset) else {
                    throw .corruptRecord(segment: path, offset: offset, reason: reason)
                }
                guard sawHeader else {
                    try dropTornSegment(path, name: name, isLast: isLast, bytes: bytes, reason: reason, directory: directory)
                    return
                }
                try WALFile.truncate(fd, to: offset, path: path)
                try WALFile.sync(fd, path: path)
                notices.append(RecoveryNotice(segment: path, offset: offset, droppedBytes: bytes.count - offset, reason: reason))
                segments.append(name)
                tailSize = offset
                return
            }
        }
    }

    /// The last segment's header never became durable: the segment was being opened by a batch
    /// that was never acknowledged, so the whole file goes.
    private mutating func dropTornSegment(
        _ path: String, name: SegmentName, isLast: Bool, bytes: [UInt8], reason: String, directory: String
    ) throws(RaftStorageError) {
        guard isLast else { throw .corruptRecord(segment: path, offset: 0, reason: "segment has no header (\(reason))") }
        try WALFile.remove(path)
        try WALFile.syncDirectory(directory)
        notices.append(RecoveryNotice(segment: path, offset: 0, droppedBytes: bytes.count, reason: reason))
    }

    private mutating func begin(with record: WALRecord, name: SegmentName, path: String) throws(RaftStorageError) {
        guard case .segmentHeader(let sequence, let firstIndex, let base) = record else {
            throw .corruptRecord(segment: path, offset: 0, reason: "the first record is not a segment header")
        }
        guard sequence == name.sequence, firstIndex == name.firstIndex, firstIndex > 0 else {
            throw .corruptRecord(
                segment: path, offset: 0,
                reason: "the header says sequence \(sequence), first index \(firstIndex), unlike the file name (renamed by hand?)")
        }
        if segments.isEmpty {
            // The oldest segment: what came before it was compacted away.
            state = LogState(snapshot: base, hardState: HardState(), holeEnd: firstIndex - 1)
        } else if firstIndex != state.lastIndex + 1 {
            throw .missingEntries(segment: path, offset: 0, expected: state.lastIndex + 1, found: firstIndex)
        }
    }

    private mutating func apply(_ record: WALRecord, name: SegmentName, path: String, offset: Int) throws(RaftStorageError) {
        do throws(LogState.Rejection) {
            try state.apply(record, segment: name.sequence)
        } catch {
            switch error {
            case .gap(let expected, let found): throw .missingEntries(segment: path, offset: offset, expected: expected, found: found)
            case .inconsistent(let reason): throw .corruptRecord(segment: path, offset: offset, reason: reason)
            }
        }
    }
}
