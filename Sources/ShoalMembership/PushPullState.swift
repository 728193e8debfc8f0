/// One member's entry in a push-pull exchange: its latest alive statement and, when it is
/// suspect, dead or left, the accusation that put it there.
public struct PushPullEntry: Hashable, Sendable {
    /// The subject-signed alive statement (carries metadata).
    public var alive: Statement
    /// The statement behind a non-alive status, if any.
    public var accusation: Statement?

    /// Plain memberwise initialiser.
    public init(alive: Statement, accusation: Statement?) {
        self.alive = alive
        self.accusation = accusation
    }
}

/// Full-state anti-entropy message (memberlist push-pull), sent over a reliable stream.
public struct PushPullState: Hashable, Sendable {
    /// The sender's own alive statement.
    public var sender: Statement
    /// Every member the sender knows, tombstones included.
    public var entries: [PushPullEntry]
    /// Whether the sender is joining (informational: the receiver merges either way).
    public var isJoin: Bool

    /// Plain memberwise initialiser.
    public init(sender: Statement, entries: [PushPullEntry], isJoin: Bool) {
        self.sender = sender
        self.entries = entries
        self.isJoin = isJoin
    }

    /// Conservative encoded size.
    public var estimatedSize: Int {
        entries.reduce(sender.estimatedSize + 16) { $0 + $1.alive.estimatedSize + ($1.accusation?.estimatedSize ?? 0) + 4 }
    }
}

/// What answering a push-pull request yields: the reply for the stream that asked, and the
/// effects of merging the request.
public struct PushPullAnswer: Sendable {
    /// This node's state, to be written back on the requesting stream.
    public var reply: PushPullState
    /// What merging the request changed, to be carried out like any other effects.
    public var effects: [MembershipEffect]
}
