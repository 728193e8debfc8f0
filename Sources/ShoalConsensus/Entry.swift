/// A Raft term (Raft §5.1): a logical clock that only grows; every message carries one.
public typealias Term = UInt64

/// A position in the replicated log, starting at 1; 0 means "before the first entry"
/// (Raft Figure 2).
public typealias LogIndex = UInt64

/// What an entry's bytes mean to the core (etcd raft `EntryType`).
public enum EntryKind: UInt8, Sendable, Hashable {
    /// Application data: opaque to the core, handed back once committed.
    case normal
    /// A whole `Configuration`, encoded by `Configuration.encoded`; it takes effect on every
    /// node as soon as it is appended to that node's log (thesis §4.1).
    case configuration
    /// The empty entry a new leader appends to commit entries of earlier terms (Raft §5.4.2,
    /// §8; thesis §6.4 step 1). The application ignores it.
    case noOp
}

/// One log entry (Raft Figure 2): the term of the leader that created it, its index, a kind
/// and opaque bytes.
public struct Entry: Sendable, Hashable {
    /// The term in which a leader appended this entry.
    public var term: Term
    /// Its position in the log.
    public var index: LogIndex
    /// How the core treats `data`.
    public var kind: EntryKind
    /// Application bytes (`.normal`), an encoded configuration (`.configuration`), or empty.
    public var data: [UInt8]

    /// Creates an entry; the leader assigns `term` and `index` when it appends a proposal.
    public init(term: Term, index: LogIndex, kind: EntryKind = .normal, data: [UInt8] = []) {
        self.term = term
        self.index = index
        self.kind = kind
        self.data = data
    }
}
