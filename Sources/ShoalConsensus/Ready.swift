/// Everything the shell must carry out after one or more calls into `Raft` (etcd raft
/// `Ready`). Take it with `Raft.takeReady()`.
///
/// **Order.** The shell carries out each `Ready` completely, in this order, before it takes
/// the next one (it may keep calling `step`, `tick` and the proposals in between):
///
/// 1. **Persist**, before anything else: `snapshot` if present (it replaces the whole stored
///    log: every stored entry goes), then `entries` (an entry at index *i* first deletes every
///    stored entry at *i* or later), then `hardState` if present; durably (fsync) when
///    `mustSync`. Raft's safety rests on this: a vote or an acknowledgement sent before it is
///    stored can be forgotten by a crash and given twice (Raft Figure 2 "updated on stable
///    storage before responding").
/// 2. **Send** `messages`, in any order, to their `to`. They may be lost; Raft retries. A
///    leader's replication (`messagesBeforePersisting`) may instead go out before or during
///    step 1: the leader writes its own log in parallel with its followers (thesis §10.2.1);
///    an entry still counts for the leader only once the Ready holding it is persisted.
/// 3. **Apply**: install `snapshot` into the state machine if present, then apply
///    `committedEntries` in order. Both were persisted in step 1 or earlier.
/// 4. **Serve** `readStates`: a read for a context may be answered once the applied index
///    reaches its index (thesis §6.4 step 4).
/// 5. **Report** `events` (role and leader changes, configuration changes).
///
/// A failure in step 1 must stop the node (restart it from what is stored): the core already
/// believes the state is durable.
public struct Ready: Sendable, Equatable {
    /// A snapshot from the leader to store and then install (Raft §7).
    public var snapshot: Snapshot?
    /// New log entries to store, in index order.
    public var entries: [Entry]
    /// The hard state to store, when it changed.
    public var hardState: HardState?
    /// Messages to send once step 1 is done.
    public var messages: [Message]
    /// Committed entries to apply, in index order, after step 1.
    public var committedEntries: [Entry]
    /// Read indexes that became known (thesis §6.4).
    public var readStates: [ReadState]
    /// What changed, in the order it happened.
    public var events: [RaftEvent]
    /// Whether step 1 must be durable before step 2 (etcd raft `MustSync`): true when there is
    /// a snapshot, an entry, or a new term or vote. When only the commit index moved, the write
    /// need not be fsynced: a commit index lost in a crash is learnt again from the leader (the
    /// committed entries themselves are durable on a quorum), and the next fsync covers it.
    public var mustSync: Bool

    /// A leader's appends, heartbeats, snapshots, `timeoutNow` and read-index answers: they
    /// acknowledge nothing this node stores, so they may be sent before step 1.
    public var messagesBeforePersisting: [Message] { messages.filter(\.kind.mayPrecedePersistence) }
    /// Every other message: answers that promise what step 1 stores (votes, acknowledgements).
    public var messagesAfterPersisting: [Message] { messages.filter { !$0.kind.mayPrecedePersistence } }

    /// True if there is nothing to do.
    public var isEmpty: Bool {
        snapshot == nil && entries.isEmpty && hardState == nil && messages.isEmpty && committedEntries.isEmpty
            && readStates.isEmpty && events.isEmpty
    }
}

/// A linearizable read point (thesis §6.4; etcd raft `ReadState`): once the state machine has
/// applied `index`, a read issued with `context` may be served from it.
public struct ReadState: Sendable, Hashable {
    /// The commit index when the read was confirmed.
    public var index: LogIndex
    /// The caller's context, unchanged (a request id).
    public var context: [UInt8]

    /// A read state.
    public init(index: LogIndex, context: [UInt8]) {
        self.index = index
        self.context = context
    }
}

/// A node's role (Raft §5.1, thesis §9.6 pre-candidate).
public enum Role: Sendable, Hashable {
    /// Follows a leader, or waits for one.
    case follower
    /// Asking whether it could win before disturbing anyone (thesis §9.6).
    case preCandidate
    /// Campaigning in a new term (Raft §5.2).
    case candidate
    /// The leader of its term.
    case leader
}

/// A change the rest of the agent may care about.
public enum RaftEvent: Sendable, Hashable {
    /// This node took `role` in `term`.
    case roleChanged(Role, term: Term)
    /// This node learnt that `leader` leads `term` (nil: no known leader).
    case leaderChanged(ReplicaID?, term: Term)
    /// The configuration in force changed (it takes effect when appended, thesis §4.1).
    case configurationChanged(Configuration)
}
