/// One Raft message between two replicas. Every message carries the sender's term (Raft
/// §5.1): a higher term makes the receiver step down, a lower one is answered or dropped
/// (`Raft.step`).
public struct Message: Sendable, Hashable {
    /// The sender.
    public var from: ReplicaID
    /// The receiver.
    public var to: ReplicaID
    /// The sender's term; for a pre-vote request and a granted pre-vote, the term the sender
    /// would campaign in (thesis §9.6).
    public var term: Term
    /// What it says.
    public var kind: MessageKind

    /// A message.
    public init(from: ReplicaID, to: ReplicaID, term: Term, kind: MessageKind) {
        self.from = from
        self.to = to
        self.term = term
        self.kind = kind
    }
}

/// The RPCs of Raft Figure 2 and the thesis's extensions, as etcd raft's message types.
public enum MessageKind: Sendable, Hashable {
    /// Would you vote for me in `term`? Changes no state on the receiver (thesis §9.6).
    case preVote(lastIndex: LogIndex, lastTerm: Term)
    /// The answer to a pre-vote.
    case preVoteResponse(granted: Bool)
    /// RequestVote (Raft §5.2, §5.4.1). `transfer` marks an election a leader asked for with
    /// `timeoutNow`; only such a request overrides the leader lease (thesis §3.10, §4.2.3).
    case vote(lastIndex: LogIndex, lastTerm: Term, transfer: Bool)
    /// The answer to a vote request.
    case voteResponse(granted: Bool)
    /// AppendEntries (Raft §5.3).
    case append(Append)
    /// The answer to an append or a snapshot.
    case appendResponse(AppendResponse)
    /// An empty AppendEntries (Raft §5.2): asserts leadership, carries the commit index, and
    /// the stamps the lease and read index are counted from (thesis §6.4).
    case heartbeat(commit: LogIndex, leaderTick: UInt64, readRound: UInt64)
    /// The answer to a heartbeat, echoing its stamps.
    case heartbeatResponse(leaderTick: UInt64, readRound: UInt64)
    /// InstallSnapshot (Raft §7), whole.
    case snapshot(Snapshot)
    /// Start an election now, skipping pre-vote (thesis §3.10 leadership transfer).
    case timeoutNow
    /// A follower asks the leader for a read index on behalf of a client (thesis §6.4).
    case readIndex(context: [UInt8])
    /// The leader's answer: reads for `context` are linearizable once `index` is applied.
    case readIndexResponse(index: LogIndex, context: [UInt8])
}

extension MessageKind {
    /// Whether a leader may send it before persisting the Ready it came in (`Ready.messagesBeforePersisting`).
    public var mayPrecedePersistence: Bool {
        switch self {
        case .append, .heartbeat, .snapshot, .timeoutNow, .readIndexResponse: true
        case .preVote, .preVoteResponse, .vote, .voteResponse, .appendResponse, .heartbeatResponse, .readIndex: false
        }
    }
}

/// AppendEntries arguments (Raft Figure 2).
public struct Append: Sendable, Hashable {
    /// The index just before `entries`.
    public var prevIndex: LogIndex
    /// The term of the entry at `prevIndex`.
    public var prevTerm: Term
    /// Entries to store, possibly several (batching); may be empty.
    public var entries: [Entry]
    /// The leader's commit index.
    public var commit: LogIndex

    /// Append arguments.
    public init(prevIndex: LogIndex, prevTerm: Term, entries: [Entry], commit: LogIndex) {
        self.prevIndex = prevIndex
        self.prevTerm = prevTerm
        self.entries = entries
        self.commit = commit
    }
}

/// AppendEntries results, with the conflict hint of etcd raft (Raft §5.3 "the follower can
/// include the term of the conflicting entry"; thesis §5.3 faster backtracking).
public enum AppendResponse: Sendable, Hashable {
    /// The follower's log matches the leader's through `match`.
    case accepted(match: LogIndex)
    /// The follower's log does not contain the leader's entry at `index`. `hintIndex` and
    /// `hintTerm` name the follower's last entry at or before `index` whose term is at most
    /// the leader's `prevTerm`, so the leader can skip a whole term per round trip.
    case rejected(index: LogIndex, hintIndex: LogIndex, hintTerm: Term)
}
