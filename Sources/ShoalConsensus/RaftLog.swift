/// The in-memory log: a snapshot followed by the entries after it (etcd raft `raftLog`).
///
/// `stableThrough` splits what the shell has been handed for persistence from what it has
/// not; `applied` is what has been handed out for application.
struct RaftLog: Sendable {
    private(set) var snapshot: Snapshot
    private(set) var entries: [Entry]
    private(set) var committed: LogIndex
    var applied: LogIndex
    /// The first index not yet handed to the shell in `Ready.entries`.
    private(set) var unstableFrom: LogIndex

    init(persisted: PersistedState, applied: LogIndex?) {
        snapshot = persisted.snapshot
        var entries: [Entry] = []
        var expected = persisted.snapshot.metadata.index + 1
        for entry in persisted.entries where entry.index >= expected {
            guard entry.index == expected else { break }
            entries.append(entry)
            expected += 1
        }
        self.entries = entries
        let last = persisted.snapshot.metadata.index + LogIndex(entries.count)
        committed = max(persisted.snapshot.metadata.index, min(persisted.hardState.commit, last))
        self.applied = min(max(applied ?? persisted.snapshot.metadata.index, persisted.snapshot.metadata.index), committed)
        unstableFrom = last + 1
    }

    var firstIndex: LogIndex { snapshot.metadata.index + 1 }
    var lastIndex: LogIndex { snapshot.metadata.index + LogIndex(entries.count) }
    var lastTerm: Term { entries.last?.term ?? snapshot.metadata.term }

    /// The term at `index`, or nil if it is compacted away or beyond the end.
    func term(at index: LogIndex) -> Term? {
        if index == snapshot.metadata.index { return snapshot.metadata.term }
        guard index > snapshot.metadata.index, index <= lastIndex else { return nil }
        return entries[Int(index - firstIndex)].term
    }

    func entry(at index: LogIndex) -> Entry? {
        guard index >= firstIndex, index <= lastIndex else { return nil }
        return entries[Int(index - firstIndex)]
    }

    /// Entries from `start` on, at most `maxCount` and about `maxBytes` (at least one).
    func entries(from start: LogIndex, maxCount: Int = .max, maxBytes: Int = .max) -> [Entry] {
        guard start >= firstIndex, start <= lastIndex else { return [] }
        var result: [Entry] = []
        var bytes = 0
        for entry in entries[Int(start - firstIndex)...] {
            if !result.isEmpty && (result.count >= maxCount || bytes + entry.data.count > maxBytes) { break }
            result.append(entry)
            bytes += entry.data.count
        }
        return result
    }

    /// Raft §5.4.1: a candidate's log is at least as up to date as ours.
    func isUpToDate(lastIndex otherIndex: LogIndex, lastTerm otherTerm: Term) -> Bool {
        otherTerm > lastTerm || (otherTerm == lastTerm && otherIndex >= lastIndex)
    }

    /// The last index at or before `index` whose term is at most `term`, and that term
    /// (etcd `findConflictByTerm`); term 0 when the answer lies in the compacted prefix.
    func lastIndex(atOrBefore index: LogIndex, withTermAtMost term: Term) -> (index: LogIndex, term: Term) {
        var candidate = min(index, lastIndex)
        while candidate > 0 {
            guard let found = self.term(at: candidate) else { return (candidate, 0) }
            if found <= term { return (candidate, found) }
            candidate -= 1
        }
        return (0, 0)
    }

    /// Appends `new`, first dropping every entry at or after the first one's index.
    mutating func append(_ new: [Entry]) {
        guard let first = new.first else { return }
        let keep = Int(first.index) - Int(firstIndex)
        if keep < entries.count { entries.removeSubrange(max(0, keep)...) }
        entries += new
        unstableFrom = min(unstableFrom, first.index)
    }

    /// Raft §5.3 receiver rules 2-4: nil if the log does not contain (prevIndex, prevTerm),
    /// else stores what is new and returns the last index the leader's log is known to match,
    /// and whether anything was overwritten or a configuration entry was stored.
    mutating func append(
        after prevIndex: LogIndex, prevTerm: Term, entries new: [Entry]
    ) -> (last: LogIndex, configurationTouched: Bool)? {
        guard term(at: prevIndex) == prevTerm else { return nil }
        let last = prevIndex + LogIndex(new.count)
        guard let conflict = new.firstIndex(where: { term(at: $0.index) != $0.term }) else { return (last, false) }
        let fresh = Array(new[conflict...])
        // Entries up to `committed` match the leader's by Leader Completeness; never rewrite them.
        guard fresh[0].index > committed else { return (last, false) }
        let overwrote = fresh[0].index <= lastIndex
        let configurationOverwritten = overwrote && entries.contains { $0.index >= fresh[0].index && $0.kind == .configuration }
        append(fresh)
        return (last, configurationOverwritten || fresh.contains { $0.kind == .configuration })
    }

    mutating func commit(to index: LogIndex) {
        let target = min(index, lastIndex)
        if target > committed { committed = target }
    }

    /// Entries the shell has not yet been handed, marking them handed.
    mutating func takeUnstable() -> [Entry] {
        guard unstableFrom <= lastIndex else {
            unstableFrom = lastIndex + 1
            return []
        }
        let result = Array(entries[Int(unstableFrom - firstIndex)...])
        unstableFrom = lastIndex + 1
        return result
    }

    /// Committed entries not yet handed out for application, marking them handed.
    mutating func takeCommitted() -> [Entry] {
        guard committed > applied else { return [] }
        let result = Array(entries[Int(applied + 1 - firstIndex)...Int(committed - firstIndex)])
        applied = committed
        return result
    }

    /// Replaces the whole log with a leader's snapshot (Raft §7 receiver rules 6-8 reduced to
    /// "discard the entire log": the caller keeps the log when it already matches).
    mutating func restore(_ snapshot: Snapshot) {
        self.snapshot = snapshot
        entries = []
        committed = snapshot.metadata.index
        applied = snapshot.metadata.index
        unstableFrom = snapshot.metadata.index + 1
    }

    /// Drops the prefix through `snapshot`'s index, which the application took (Raft §7).
    mutating func compact(to snapshot: Snapshot) {
        let drop = Int(snapshot.metadata.index - self.snapshot.metadata.index)
        entries.removeFirst(min(drop, entries.count))
        self.snapshot = snapshot
    }

    /// The latest configuration at or before `index`, and the index of the entry that set it.
    func configuration(atOrBefore index: LogIndex) -> (configuration: Configuration, index: LogIndex) {
        var position = min(index, lastIndex)
        while position >= firstIndex {
            let entry = entries[Int(position - firstIndex)]
            if entry.kind == .configuration, let configuration = Configuration(encoded: entry.data) {
                return (configuration, position)
            }
            position -= 1
        }
        return (snapshot.metadata.configuration, snapshot.metadata.index)
    }
}
