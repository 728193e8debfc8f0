/// The state Raft must store durably before answering anything (Raft Figure 2 "persistent
/// state on all servers"; etcd raft `HardState`). Commit is kept too, so a restarted node
/// does not re-apply from its snapshot further than it must.
public struct HardState: Sendable, Hashable {
    /// The latest term this node has seen.
    public var term: Term
    /// Whom this node voted for in `term`, if anyone.
    public var vote: ReplicaID?
    /// The highest index known committed.
    public var commit: LogIndex

    /// A hard state.
    public init(term: Term = 0, vote: ReplicaID? = nil, commit: LogIndex = 0) {
        self.term = term
        self.vote = vote
        self.commit = commit
    }
}

/// Where a snapshot ends and the configuration in force there (Raft §7; thesis §5.1).
public struct SnapshotMetadata: Sendable, Hashable {
    /// The last index the snapshot covers.
    public var index: LogIndex
    /// The term of the entry at `index`.
    public var term: Term
    /// The latest configuration at or before `index`.
    public var configuration: Configuration

    /// Snapshot metadata.
    public init(index: LogIndex, term: Term, configuration: Configuration) {
        self.index = index
        self.term = term
        self.configuration = configuration
    }
}

/// The application's state through `metadata.index` (Raft §7). `data` is opaque to the core;
/// a large state can be a reference (an object id of the object store) rather than the bytes.
public struct Snapshot: Sendable, Hashable {
    /// Where the snapshot ends.
    public var metadata: SnapshotMetadata
    /// The application state, as the application encoded it.
    public var data: [UInt8]

    /// A snapshot.
    public init(metadata: SnapshotMetadata, data: [UInt8] = []) {
        self.metadata = metadata
        self.data = data
    }
}

/// Everything a node stored before it stopped: what `Raft.init` restarts from (etcd raft
/// `Storage`). Entries follow the snapshot without a gap.
public struct PersistedState: Sendable, Hashable {
    /// The stored hard state.
    public var hardState: HardState
    /// The latest snapshot; index 0 for a group that has never compacted.
    public var snapshot: Snapshot
    /// The stored log after the snapshot.
    public var entries: [Entry]

    /// Stored state.
    public init(hardState: HardState, snapshot: Snapshot, entries: [Entry]) {
        self.hardState = hardState
        self.snapshot = snapshot
        self.entries = entries
    }

    /// The state every founding voter of a new group starts from: the same configuration at
    /// index 0, so no entry is needed to agree on it (DESIGN: bootstrap on `bootstrap_expect`).
    public static func bootstrap(voters: [ReplicaID]) -> PersistedState {
        PersistedState(
            hardState: HardState(),
            snapshot: Snapshot(metadata: SnapshotMetadata(index: 0, term: 0, configuration: Configuration(voters: voters))),
            entries: [])
    }

    /// A node that will be added to an existing group: it knows no one and waits for a leader.
    public static let joining = PersistedState.bootstrap(voters: [])
}
