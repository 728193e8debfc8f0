import ShoalRandom
/// One Raft replica as a pure state machine (Raft paper; Ongaro's thesis; etcd raft's design).
///
/// The whole protocol is `step(_:)` for a message and `tick()` for the passage of time, plus
/// the requests `propose`, `proposeConfigurationChange`, `readIndex`, `transferLeadership`,
/// `campaign` and `compact`. None of them does I/O or returns effects directly: they change the
/// value, and `takeReady()` hands out everything that must happen outside, in one `Ready`
/// whose documentation states the order the shell must keep (persist, then send, then apply).
///
/// It reads no clock (time is `tick()` calls) and draws randomness only from a generator the
/// caller seeds, so two replicas fed the same inputs produce the same `Ready`s.
///
/// The shell's loop, one actor per group:
///
/// ```swift
/// var raft = Raft(id: me, config: config, persisted: storage.load(), randomSeed: seed)
/// // on every tickInterval:  raft.tick()
/// // on every raft/1 message: raft.step(message)
/// // on a client write:       let index = try raft.propose(bytes)
/// // then, whenever raft.hasReady:
/// let ready = raft.takeReady()
/// try storage.persist(ready.snapshot, ready.entries, ready.hardState)   // fsync if ready.mustSync; a failure stops the node
/// transport.send(ready.messages)
/// machine.install(ready.snapshot); machine.apply(ready.committedEntries)
/// reads.release(ready.readStates); events.publish(ready.events)
/// ```
public struct Raft: Sendable {
    /// This replica.
    public let id: ReplicaID
    /// Timing and flow control.
    public let config: RaftConfig
    /// The current term (Raft Figure 2 `currentTerm`).
    public internal(set) var term: Term
    /// The vote cast in `term` (Raft Figure 2 `votedFor`).
    public internal(set) var vote: ReplicaID?
    /// Follower, pre-candidate, candidate or leader.
    public internal(set) var role: Role = .follower
    /// The leader of `term`, if known.
    public internal(set) var leader: ReplicaID?
    /// The configuration in force: the latest in the log, committed or not (thesis §4.1).
    public internal(set) var configuration: Configuration

    var log: RaftLog
    var rng: SeededGenerator
    /// Index of the entry that set `configuration` (the snapshot's index if none in the log).
    var configurationIndex: LogIndex
    var progress: [ReplicaID: Progress] = [:]
    var votes: [ReplicaID: Bool] = [:]
    var electionElapsed = 0
    var heartbeatElapsed = 0
    var randomizedElectionTimeout = 0
    /// Ticks since a leader of the current term was last heard from. A restarted node starts
    /// at 0, so it honours any lease it may have promised before it stopped (thesis §4.2.3);
    /// a node still at term 0 has never heard of a leader and promised nothing.
    var ticksSinceLeaderContact: Int
    /// Ticks since start: the leader's stamp on heartbeats, from which the lease is counted.
    var now: UInt64 = 0
    var transferee: ReplicaID?
    var transferElapsed = 0
    /// A `timeoutNow` went out in this term: its target may win an election that overrides
    /// the followers' lease promises at any time, so this leader holds no lease any more.
    var sentTimeoutNow = false
    /// The leader is leaving or demoted, and steps down once it has handed over (thesis §3.10).
    var handingOver = false
    /// The leader committed an entry of its own term (thesis §6.4 step 1, and the condition
    /// for a configuration change in Ongaro's 2015 correction to §4.1).
    var committedInTerm = false
    var readRound: UInt64 = 0
    var pendingReads: [PendingRead] = []
    var readsAwaitingCommit: [ReadRequest] = []
    var appendsOwed = false

    var outbox: [Message] = []
    var readStates: [ReadState] = []
    var events: [RaftEvent] = []
    var snapshotToInstall: Snapshot?
    var storedHardState: HardState

    /// A replica restarted from what it stored (or from `PersistedState.bootstrap`/`joining`).
    ///
    /// - Parameters:
    ///   - applied: the last index the state machine already holds; by default the snapshot's,
    ///     so every committed entry after it is handed out again.
    ///   - randomSeed: seeds the election timeouts.
    public init(id: ReplicaID, config: RaftConfig, persisted: PersistedState, applied: LogIndex? = nil, randomSeed: UInt64) {
        precondition(config.isValid, "inconsistent RaftConfig: see RaftConfig.isValid")
        self.id = id
        self.config = config
        term = persisted.hardState.term
        vote = persisted.hardState.vote
        log = RaftLog(persisted: persisted, applied: applied)
        rng = SeededGenerator(seed: randomSeed)
        (configuration, configurationIndex) = log.configuration(atOrBefore: log.lastIndex)
        storedHardState = persisted.hardState
        ticksSinceLeaderContact = persisted.hardState.term == 0 ? Int.max : 0
        resetTimers()
    }

    /// The hard state as it is now (persisted once handed out in a `Ready`).
    public var hardState: HardState { HardState(term: term, vote: vote, commit: log.committed) }

    /// The highest index known committed.
    public var commitIndex: LogIndex { log.committed }

    /// The index of the last entry in the log.
    public var lastIndex: LogIndex { log.lastIndex }

    /// The first index still in the log; earlier ones are in the snapshot.
    public var firstIndex: LogIndex { log.firstIndex }

    /// The last index handed out for application.
    public var appliedIndex: LogIndex { log.applied }

    /// True if this replica may campaign: it is a voter of its configuration, or it was a
    /// voter before a configuration that is not yet committed (thesis §4.2.2: a server outside
    /// its own latest configuration may still be needed to commit it, and campaigns without
    /// counting its own vote). Learners and removed nodes otherwise never do.
    public var isPromotable: Bool {
        if configuration.isVoter(id) { return true }
        guard configurationIndex > log.committed else { return false }
        return log.configuration(atOrBefore: configurationIndex - 1).configuration.isVoter(id)
    }

    /// True while a leader may serve reads without a round trip (thesis §6.4.1).
    public var holdsLease: Bool { leaseExpiry.map { now < $0 } ?? false }

    /// True if `takeReady()` would return something.
    public var hasReady: Bool {
        appendsOwed || snapshotToInstall != nil || log.unstableFrom <= log.lastIndex || hardState != storedHardState
            || !outbox.isEmpty || log.committed > log.applied || !readStates.isEmpty || !events.isEmpty
    }

    /// Hands out everything the shell must now do, in the order `Ready` documents, and
    /// assumes it done: the next `Ready` builds on this one having been persisted.
    public mutating func takeReady() -> Ready {
        if appendsOwed {
            appendsOwed = false
            if role == .leader { broadcastAppend() }
        }
        let state = hardState
        let entries = log.takeUnstable()
        let mustSync = snapshotToInstall != nil || !entries.isEmpty || state.term != storedHardState.term || state.vote != storedHardState.vote
        let ready = Ready(
            snapshot: snapshotToInstall, entries: entries, hardState: state == storedHardState ? nil : state,
            messages: outbox, committedEntries: log.takeCommitted(), readStates: readStates, events: events, mustSync: mustSync)
        storedHardState = state
        snapshotToInstall = nil
        outbox = []
        readStates = []
        events = []
        return ready
    }

    mutating func send(_ kind: MessageKind, to: ReplicaID, term messageTerm: Term? = nil) {
        outbox.append(Message(from: id, to: to, term: messageTerm ?? term, kind: kind))
    }

    mutating func resetTimers() {
        electionElapsed = 0
        heartbeatElapsed = 0
        randomizedElectionTimeout = config.electionTicks + Int.random(in: 0..<config.electionTicks, using: &rng)
    }
}

/// A read the leader confirms with a heartbeat round (thesis §6.4).
struct PendingRead: Sendable {
    var round: UInt64
    var index: LogIndex
    var request: ReadRequest
}

/// Who asked for a read, and with what context.
struct ReadRequest: Sendable {
    var context: [UInt8]
    /// nil: this replica itself.
    var requester: ReplicaID?
}
