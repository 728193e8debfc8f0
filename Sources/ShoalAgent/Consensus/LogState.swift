import ShoalConsensus

/// The log as the records so far describe it: what replay rebuilds and what a write would
/// make of it. Writes apply their records to a copy first, so a request the log cannot
/// represent is refused before any byte reaches the disk.
struct LogState {
    var snapshot: Snapshot
    var hardState: HardState
    /// Entries from `firstEntryIndex` on, contiguous.
    var entries: [Entry] = []
    /// The segment holding each entry's live record (parallel to `entries`).
    var entrySegments: [UInt64] = []
    /// Entries `snapshot.index + 1 … holeEnd` exist but live in segments already removed:
    /// only at the start of a replay whose oldest segments were compacted away. A later
    /// snapshot record must cover them before replay ends.
    var holeEnd: LogIndex = 0

    var firstEntryIndex: LogIndex { max(snapshot.metadata.index, holeEnd) + 1 }
    var lastIndex: LogIndex { firstEntryIndex + LogIndex(entries.count) - 1 }

    func term(at index: LogIndex) -> Term? {
        if index == snapshot.metadata.index { return snapshot.metadata.term }
        guard index >= firstEntryIndex, index <= lastIndex else { return nil }
        return entries[Int(index - firstEntryIndex)].term
    }

    /// Why a record cannot follow the log as it stands.
    enum Rejection: Error {
        case gap(expected: LogIndex, found: LogIndex)
        case inconsistent(String)
    }

    /// Applies one entry, hard state or snapshot record written into segment `segment`.
    mutating func apply(_ record: WALRecord, segment: UInt64) throws(Rejection) {
        switch record {
        case .entry(let entry):
            guard entry.index > snapshot.metadata.index else {
                throw .inconsistent("entry \(entry.index) is at or below the snapshot index \(snapshot.metadata.index)")
            }
            guard entry.index <= lastIndex + 1 else { throw .gap(expected: lastIndex + 1, found: entry.index) }
            if entry.index < firstEntryIndex {
                // Overwrites an entry of the removed segments: everything from it on goes.
                entries = []
                entrySegments = []
                holeEnd = entry.index - 1
            } else {
                let keep = Int(entry.index - firstEntryIndex)
                entries.removeSubrange(keep...)
                entrySegments.removeSubrange(keep...)
            }
            entries.append(entry)
            entrySegments.append(segment)
        case .hardState(let state):
            hardState = state
        case .snapshot(let new, replacesLog: true):
            snapshot = new
            entries = []
            entrySegments = []
            holeEnd = 0
        case .snapshot(let new, replacesLog: false):
            let index = new.metadata.index
            guard index > snapshot.metadata.index, index <= lastIndex else {
                throw .inconsistent("compaction to \(index) outside the log \(snapshot.metadata.index + 1)…\(lastIndex)")
            }
            if let term = term(at: index), term != new.metadata.term {
                throw .inconsistent("compaction to \(index) at term \(new.metadata.term), but the entry there has term \(term)")
            }
            let drop = index >= firstEntryIndex ? Int(index - firstEntryIndex) + 1 : 0
            entries.removeFirst(drop)
            entrySegments.removeFirst(drop)
            snapshot = new
            if holeEnd <= index { holeEnd = 0 }
        case .segmentHeader:
            throw .inconsistent("a segment header in the middle of a segment")
        }
    }
}
