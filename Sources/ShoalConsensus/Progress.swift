/// What a leader knows of one follower's log (etcd raft `tracker.Progress`; Raft Figure 2
/// `nextIndex`/`matchIndex`).
struct Progress: Sendable {
    enum State: Sendable, Equatable {
        /// One append at a time until the follower's log end is found (Raft §5.3 backtracking).
        case probe
        /// Appends streamed optimistically, up to the in-flight bound (pipelining).
        case replicate
        /// A snapshot through `index` is on its way; nothing else is sent meanwhile.
        case snapshot(index: LogIndex)
    }

    var match: LogIndex = 0
    var next: LogIndex
    var state: State = .probe
    /// In `.probe`: an append is out and unanswered.
    var probeSent = false
    /// In `.replicate`: the last index of each unacknowledged append, oldest first.
    var inflight: [LogIndex] = []
    /// Heard from since the last check-quorum round (thesis §6.2).
    var recentActive = false
    /// The leader's tick (`Raft.now`) when a message from this follower last arrived.
    var lastHeard: UInt64?
    /// The leader tick of the latest heartbeat this follower acknowledged (thesis §6.4.1).
    var ackedLeaderTick: UInt64?
    /// The latest read round this follower acknowledged (thesis §6.4).
    var ackedReadRound: UInt64 = 0
    /// When a snapshot was sent, to give up on one that was lost.
    var snapshotSentAt: UInt64 = 0

    init(next: LogIndex) {
        self.next = next
    }

    func isPaused(maxInflight: Int) -> Bool {
        switch state {
        case .probe: probeSent
        case .replicate: inflight.count >= maxInflight
        case .snapshot: true
        }
    }

    mutating func becomeProbe() {
        if case .snapshot(let index) = state {
            next = max(match + 1, index + 1)
        } else {
            next = match + 1
        }
        state = .probe
        probeSent = false
        inflight = []
    }

    mutating func becomeReplicate() {
        state = .replicate
        next = match + 1
        inflight = []
    }

    /// Records an acknowledgement through `index`; true if `match` advanced.
    mutating func acknowledge(through index: LogIndex) -> Bool {
        var advanced = false
        if index > match {
            match = index
            advanced = true
            probeSent = false
        }
        next = max(next, index + 1)
        inflight.removeAll { $0 <= index }
        return advanced
    }

    /// Handles a rejection of the append at `rejected` (etcd `MaybeDecrTo`); false if stale.
    mutating func rejected(at rejected: LogIndex, hint: LogIndex) -> Bool {
        switch state {
        case .replicate:
            guard rejected > match else { return false }
            next = match + 1
            return true
        case .probe:
            guard next - 1 == rejected else { return false }
            next = max(min(rejected, hint + 1), match + 1)
            probeSent = false
            return true
        case .snapshot:
            return false
        }
    }
}
