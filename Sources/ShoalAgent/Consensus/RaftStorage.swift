#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
public import ShoalConsensus

/// Durable storage for one Raft group: an append-only write-ahead log of checksummed records
/// in segments of bounded size (etcd's WAL design), that survives kill -9 or power loss at any
/// instant. It carries out step 1 of `Ready` (persist) and gives `Raft.init` its
/// `PersistedState` back.
///
/// **Writes.** `persist(_:)` writes one `Ready`'s snapshot, entries and hard state as records
/// with a single `write(2)` and a single `fdatasync`, plus one directory fsync when the batch
/// opened a new segment: one fsync per batch, however many entries it holds. Nothing is ever
/// rewritten in place. An entry at index *i* supersedes the stored entries from *i* on (Raft
/// §5.3) by being appended after them; replay honours the later record. When a call returns,
/// everything it was given is durable; when it throws, the log on disk and in memory is as it
/// was before the call (a full disk rolls the partial write back), except after a failed
/// fsync, which leaves the storage refusing every further write: the node must restart.
///
/// **Segments** are named `<sequence>-<first index>.wal` and start with a header (sequence,
/// first index, the snapshot the log stood on) and the hard state of that moment, so any
/// suffix of segments replays alone. `install(_:)` and `compact(through:)` write a snapshot
/// record and then remove the segments no live record needs any more, oldest first.
///
/// **Recovery** (on `init`): every segment is replayed in order and checked. A torn last
/// write — the last segment ends inside a record, or its last record fails its checksum, or
/// it ends in zeros — was never fsynced, so never acknowledged: it is cut off and reported in
/// `recoveryNotices`. Anything else (a bad record with valid data after it, a gap in indices,
/// a missing segment, entries no snapshot covers) throws a `RaftStorageError` naming the file
/// and offset: the log is never silently shortened.
///
/// Not `Sendable`: one actor owns it, as it owns the `Raft` it serves.
public final class RaftStorage {
    /// The directory holding the segments.
    public let directory: String
    /// The size past which the next batch opens a new segment.
    public let segmentSize: Int
    /// What open repaired, for the caller to log.
    public let recoveryNotices: [RecoveryNotice]

    var state: LogState
    var segments: [SegmentName]
    var tail: Int32
    var tailSize: Int
    let lockDescriptor: Int32
    /// Set once an fsync failed: the page cache may have dropped the data it could not write.
    var broken: RaftStorageError?
    private var closed = false

    /// Everything stored, for `Raft.init(persisted:)`.
    public var persistedState: PersistedState {
        PersistedState(hardState: state.hardState, snapshot: state.snapshot, entries: state.entries)
    }

    /// The latest stored hard state.
    public var hardState: HardState { state.hardState }
    /// The latest stored snapshot.
    public var snapshot: Snapshot { state.snapshot }
    /// The stored entries after the snapshot.
    public var entries: [Entry] { state.entries }
    /// The index of the last stored entry (the snapshot's if none).
    public var lastIndex: LogIndex { state.lastIndex }
    /// True when nothing has ever been stored: no vote, no term, no entry, no configuration.
    public var isEmpty: Bool {
        state.hardState == HardState() && state.entries.isEmpty && state.snapshot.metadata.index == 0
            && state.snapshot.metadata.configuration.members.isEmpty
    }
    /// The segment files, oldest first.
    public var segmentFiles: [String] { segments.map { path($0) } }

    init(
        directory: String, segmentSize: Int, lockDescriptor: Int32, tail: Int32, tailSize: Int, state: LogState,
        segments: [SegmentName], recoveryNotices: [RecoveryNotice]
    ) {
        self.directory = directory
        self.segmentSize = segmentSize
        self.lockDescriptor = lockDescriptor
        self.tail = tail
        self.tailSize = tailSize
        self.state = state
        self.segments = segments
        self.recoveryNotices = recoveryNotices
    }

    deinit { closeFiles() }

    /// Closes the log's files and releases its lock, so another `RaftStorage` may open the
    /// directory; every later write fails. Idempotent.
    public func closeFiles() {
        guard !closed else { return }
        closed = true
        close(tail)
        close(lockDescriptor)
        if broken == nil { broken = .io(path: directory, operation: "write", reason: "the log is closed") }
    }

    /// Carries out step 1 of a `Ready`: its snapshot, entries and hard state, durably, with one fsync.
    public func persist(_ ready: Ready) throws(RaftStorageError) {
        try persist(snapshot: ready.snapshot, entries: ready.entries, hardState: ready.hardState, sync: ready.mustSync)
    }

    /// Stores `snapshot` (replacing every stored entry), then `entries` (each superseding the
    /// stored entries from its index on), then `hardState`, with one write and, when `sync`,
    /// one fsync. Without it the records are written but may be lost in a crash (the next
    /// fsync makes them durable); only a batch that changes nothing but the commit index may
    /// skip it (`Ready.mustSync`).
    public func persist(snapshot: Snapshot?, entries: [Entry], hardState: HardState?, sync: Bool = true) throws(RaftStorageError) {
        var records: [WALRecord] = []
        if let snapshot {
            records.append(.snapshot(snapshot, replacesLog: true))
            // The hard state travels with the snapshot so older segments can all go.
            if hardState == nil { records.append(.hardState(state.hardState)) }
        }
        for (offset, entry) in entries.enumerated() where offset > 0 && entry.index != entries[offset - 1].index + 1 {
            throw .invalidRequest("entries \(entries[offset - 1].index) and \(entry.index) are not consecutive")
        }
        records += entries.map { .entry($0) }
        if let hardState { records.append(.hardState(hardState)) }
        guard !records.isEmpty else { return }
        try commit(records, sync: sync)
        if snapshot != nil { try removeSegments(before: segments[segments.count - 1].sequence) }
    }

    /// Appends `entries`, superseding any stored entries from the first one's index on.
    public func append(_ entries: [Entry]) throws(RaftStorageError) {
        try persist(snapshot: nil, entries: entries, hardState: nil)
    }

    /// Stores `hardState`.
    public func save(_ hardState: HardState) throws(RaftStorageError) {
        try persist(snapshot: nil, entries: [], hardState: hardState)
    }

    /// Stores a snapshot received from the leader: every stored entry goes, and every segment
    /// before the current one is removed.
    public func install(_ snapshot: Snapshot) throws(RaftStorageError) {
        try persist(snapshot: snapshot, entries: [], hardState: nil)
    }

    /// Records that the state machine holds everything through `snapshot` (what
    /// `Raft.compact(through:data:)` returned), drops the entries it covers and removes every
    /// segment that holds no live record any more.
    public func compact(through snapshot: Snapshot) throws(RaftStorageError) {
        try commit([.snapshot(snapshot, replacesLog: false), .hardState(state.hardState)])
        try removeSegments(before: state.entrySegments.first ?? segments[segments.count - 1].sequence)
    }

    func path(_ name: SegmentName) -> String { directory + "/" + name.fileName }

    /// Writes `records` as one batch (opening a new segment first if the current one is full),
    /// fsyncs (always when a segment is opened), and only then takes the new state.
    private func commit(_ records: [WALRecord], sync: Bool = true) throws(RaftStorageError) {
        if let broken { throw broken }
        let current = segments[segments.count - 1]
        let cut = tailSize >= segmentSize
        let target = cut ? SegmentName(sequence: current.sequence + 1, firstIndex: state.lastIndex + 1) : current
        try validate(records)
        var buffer: [UInt8] = []
        if cut {
            try WALFrame.append(.segmentHeader(sequence: target.sequence, firstIndex: target.firstIndex, base: state.snapshot), to: &buffer)
            try WALFrame.append(.hardState(state.hardState), to: &buffer)
        }
        for record in records { try WALFrame.append(record, to: &buffer) }

        let file = path(target)
        let fd = try cut ? WALFile.open(file, create: true) : tail
        let sizeBefore = cut ? 0 : tailSize
        do throws(RaftStorageError) {
            try WALFile.writeAll(fd, buffer, path: file)
        } catch {
            // Roll back whatever part of the batch reached the file: the log stays as it was.
            if cut {
                close(fd)
                try? WALFile.remove(file)
            } else {
                do throws(RaftStorageError) { try WALFile.truncate(fd, to: sizeBefore, path: file) } catch { broken = error }
            }
            throw error
        }
        do throws(RaftStorageError) {
            if sync || cut { try WALFile.sync(fd, path: file) }
            if cut { try WALFile.syncDirectory(directory) }
        } catch {
            broken = error
            throw error
        }
        if cut {
            close(tail)
            tail = fd
            segments.append(target)
        }
        tailSize = sizeBefore + buffer.count
        do throws(LogState.Rejection) {
            for record in records { try state.apply(record, segment: target.sequence) }
        } catch {
            preconditionFailure("RaftStorage.validate admitted a batch the log cannot take: \(error)")
        }
    }

    /// Refuses, before any I/O, a batch the log could not take. Applying to a copy would copy
    /// every stored entry on each batch, so the common batch (entries and a hard state) is
    /// checked by its first index alone; only a batch with a snapshot record is tried on a copy.
    private func validate(_ records: [WALRecord]) throws(RaftStorageError) {
        let hasSnapshot = records.contains { if case .snapshot = $0 { true } else { false } }
        do throws(LogState.Rejection) {
            if hasSnapshot {
                var copy = state
                for record in records { try copy.apply(record, segment: 0) }
            } else if case .entry(let first)? = records.first(where: { if case .entry = $0 { true } else { false } }) {
                guard first.index > state.snapshot.metadata.index else {
                    throw .inconsistent("entry \(first.index) is at or below the snapshot index \(state.snapshot.metadata.index)")
                }
                guard first.index <= state.lastIndex + 1 else { throw .gap(expected: state.lastIndex + 1, found: first.index) }
            }
        } catch {
            switch error {
            case .gap(let expected, let found): throw .invalidRequest("entry \(found) would leave a gap after \(expected - 1)")
            case .inconsistent(let reason): throw .invalidRequest(reason)
            }
        }
    }

    /// Removes the segments older than `sequence`, oldest first, so that a crash part way
    /// leaves a run of consecutive segments that still replays.
    private func removeSegments(before sequence: UInt64) throws(RaftStorageError) {
        while segments.count > 1, segments[0].sequence < sequence {
            try WALFile.remove(path(segments[0]))
            segments.removeFirst()
        }
    }
}
