import Logging
import Synchronization
import ShoalConsensus

/// What a replica's committed entries are applied to. Owned by one `ConsensusNode`, which is
/// the only caller of every method, on its actor.
protocol ReplicatedStateMachine: AnyObject, SendableMetatype {
    /// What applying one entry says, for the proposer waiting on it.
    associatedtype Outcome: Sendable
    /// Applies one committed `.normal` entry, in log order. Must be deterministic: every
    /// replica applies the same entries and must reach the same state and outcome.
    func apply(_ entry: Entry) -> Outcome
    /// The whole state, for a snapshot.
    func snapshot() -> [UInt8]
    /// Replaces the whole state with a snapshot's (empty bytes: the empty state).
    func restore(_ snapshot: [UInt8]) throws
}

/// Why a proposal or a read did not take effect.
enum ProposalError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The core refused it (this node is not the leader, a transfer is under way, ...).
    case refused(ConsensusError)
    /// Another entry was committed at its index (leadership changed before it committed).
    case superseded(index: LogIndex)
    /// The leader changed while a read waited for its read point; retry.
    case readInterrupted
    /// The replica stopped (its log could not be written or a snapshot not installed); it must restart.
    case stopped(String)

    var description: String {
        switch self {
        case .refused(let error): "\(error)"
        case .superseded(let index): "lost to a change of leader before it committed (index \(index)); retry"
        case .readInterrupted: "the leader changed during the read; retry"
        case .stopped(let reason): "this replica has stopped: \(reason)"
        }
    }
}

/// Continuations waiting for a replica's applied index, behind a lock rather than the replica's
/// actor, so that a cancelled wait (its watch timed out) is released at once, even before it was
/// added.
final class ApplyWaiters: Sendable {
    private struct State {
        var nextID: UInt64 = 0
        var waiting: [(id: UInt64, after: LogIndex, continuation: CheckedContinuation<Void, Never>)] = []
        var cancelled: Set<UInt64> = []
    }

    private let state = Mutex(State())

    func newID() -> UInt64 {
        state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
    }

    /// Waits `continuation` until the applied index passes `after`; resumed at once if `id` was cancelled already.
    func add(_ id: UInt64, after: LogIndex, _ continuation: CheckedContinuation<Void, Never>) {
        let cancelled = state.withLock { state -> Bool in
            if state.cancelled.remove(id) != nil { return true }
            state.waiting.append((id, after, continuation))
            return false
        }
        if cancelled { continuation.resume() }
    }

    func cancel(_ id: UInt64) {
        let found = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let position = state.waiting.firstIndex(where: { $0.id == id }) else {
                state.cancelled.insert(id)
                return nil
            }
            return state.waiting.remove(at: position).continuation
        }
        found?.resume()
    }

    /// Resumes every waiter whose index `done` says is passed.
    func wake(_ done: (LogIndex) -> Bool) {
        let ready = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard !state.waiting.isEmpty else { return [] }
            var ready: [CheckedContinuation<Void, Never>] = []
            state.waiting.removeAll { waiter in
                guard done(waiter.after) else { return false }
                ready.append(waiter.continuation)
                return true
            }
            return ready
        }
        for continuation in ready { continuation.resume() }
    }
}

/// How fresh a read must be.
enum ReadConsistency: Sendable {
    /// Sees every write committed before the read began (Raft read index, or the leader's lease).
    case linearizable
    /// Whatever this replica has applied, perhaps behind the leader.
    case stale
}

/// One Raft replica, run as its `Ready` says. The pure core (`ShoalConsensus.Raft`) decides;
/// this actor carries out each `Ready` in its stated order: persist (`RaftStorage`, fsynced)
/// before anything that depends on it, then send (`outbox`), then apply committed entries to
/// the state machine and complete the proposals waiting on them, then serve the reads whose
/// read point is applied. Time arrives as `tick()` calls from whoever owns the clock;
/// randomness as the core's seed.
actor ConsensusNode<Machine: ReplicatedStateMachine> {
    nonisolated let id: ReplicaID
    private var raft: Raft
    private let storage: RaftStorage
    private let machine: Machine
    private let outbox: @Sendable ([Message]) -> Void
    private let logger: Logger
    /// Proposals waiting for their entry to be applied: index → (term proposed in, waiter).
    private var proposals: [LogIndex: (term: Term, continuation: CheckedContinuation<(index: LogIndex, term: Term, outcome: Machine.Outcome), any Error>)] = [:]
    /// Reads waiting for their read point, by context.
    private var reads: [UInt64: CheckedContinuation<Void, any Error>] = [:]
    /// Reads whose read point is known, waiting for it to be applied.
    private var confirmedReads: [(index: LogIndex, context: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
    private var nextReadContext: UInt64 = 0
    private var stopped: String?
    /// Applied entries past the last snapshot that trigger the next one.
    private let compactionThreshold: LogIndex
    /// The leader this node knows of.
    private(set) var leader: ReplicaID?
    private(set) var role: Role = .follower

    /// Entries applied past the last snapshot before the state machine is snapshotted and the
    /// log before it dropped.
    static var defaultCompactionThreshold: LogIndex { 8_192 }

    /// A replica over `storage`. A new storage (nothing stored) starts from `bootstrap`: the
    /// founding voters, the same on every founding node.
    init(
        id: ReplicaID, config: RaftConfig, storage: RaftStorage, bootstrap voters: [ReplicaID], machine: Machine,
        randomSeed: UInt64, compactionThreshold: LogIndex = defaultCompactionThreshold, logger: Logger,
        outbox: @escaping @Sendable ([Message]) -> Void
    ) throws {
        if storage.isEmpty, !voters.isEmpty {
            try storage.install(PersistedState.bootstrap(voters: voters).snapshot)
        }
        let persisted = storage.persistedState
        try machine.restore(persisted.snapshot.data)
        self.id = id
        self.storage = storage
        self.machine = machine
        self.outbox = outbox
        self.logger = logger
        self.compactionThreshold = max(1, compactionThreshold)
        raft = Raft(id: id, config: config, persisted: persisted, applied: persisted.snapshot.metadata.index, randomSeed: randomSeed)
    }

    /// What the shell reads after each tick: who leads, and the counters its metrics show.
    struct Status: Sendable, Equatable {
        var leader: ReplicaID?
        var role: Role
        var term: Term
        var commitIndex: LogIndex
        var appliedIndex: LogIndex
        var electionsStarted: Int
        var leaderChanges: Int
    }

    /// `count` ticks of the core's logical clock (`RaftConfig` counts timeouts in ticks), then
    /// one drain.
    @discardableResult
    func tick(_ count: Int = 1) -> Status {
        for _ in 0..<max(1, count) { raft.tick() }
        drain()
        return status
    }

    var status: Status {
        Status(
            leader: leader, role: role, term: raft.term, commitIndex: raft.commitIndex, appliedIndex: raft.appliedIndex,
            electionsStarted: electionsStarted, leaderChanges: leaderChanges)
    }

    private var electionsStarted = 0
    private var leaderChanges = 0

    /// A message from a peer (its sender already checked against the connection's peer).
    func receive(_ message: Message) {
        raft.step(message)
        scheduleDrain()
    }

    /// Proposes `data`; returns its index and what applying it said, once it is committed and
    /// applied here. A proposal that is lost (the leader changed) fails as `superseded` once
    /// another entry is applied at its index.
    func propose(_ data: [UInt8]) async throws -> (index: LogIndex, term: Term, outcome: Machine.Outcome) {
        if let stopped { throw ProposalError.stopped(stopped) }
        let index: LogIndex
        do {
            index = try raft.propose(data)
        } catch {
            throw ProposalError.refused(error)
        }
        let term = raft.term
        return try await withCheckedThrowingContinuation { continuation in
            proposals[index] = (term, continuation)
            scheduleDrain()
        }
    }

    /// Runs `body` on the state machine, after making sure it has every write committed before
    /// this call when `consistency` is `.linearizable` (through the leader from a follower).
    func read<T: Sendable>(_ consistency: ReadConsistency, _ body: (Machine) throws -> T) async throws -> T {
        try await readApplied(consistency, body).value
    }

    /// `read`, with the applied index the body saw: a watch waits for entries past exactly
    /// that one (an index fetched after the read could already include an entry the body did
    /// not see, and the watch would sleep through it).
    func readApplied<T: Sendable>(_ consistency: ReadConsistency, _ body: (Machine) throws -> T) async throws -> (value: T, applied: LogIndex) {
        if let stopped { throw ProposalError.stopped(stopped) }
        if consistency == .linearizable {
            let context = nextReadContext
            nextReadContext += 1
            // A read point the core never answers (its request to the leader was lost while no
            // leader change was seen) must not hold the caller for ever: the caller's deadline
            // cancels the wait.
            try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                    if Task.isCancelled {
                        continuation.resume(throwing: CancellationError())
                        return
                    }
                    do throws(ConsensusError) {
                        try raft.readIndex(context: Self.bytes(context))
                    } catch {
                        continuation.resume(throwing: ProposalError.refused(error))
                        return
                    }
                    reads[context] = continuation
                    drain()
                }
            } onCancel: {
                Task { await self.cancelRead(context) }
            }
        }
        return (try body(machine), raft.appliedIndex)
    }

    /// Ends a read whose caller gave up, wherever it waits.
    private func cancelRead(_ context: UInt64) {
        if let waiter = reads.removeValue(forKey: context) { waiter.resume(throwing: CancellationError()) }
        if let position = confirmedReads.firstIndex(where: { $0.context == context }) {
            confirmedReads.remove(at: position).continuation.resume(throwing: CancellationError())
        }
    }

    /// Starts an election now (an operator's or a test's nudge; elections otherwise follow ticks).
    func campaign() {
        raft.campaign()
        drain()
    }

    /// Stops the replica and closes its log (another replica may then open the directory);
    /// waiting proposals and reads fail.
    func shutdown() {
        if stopped == nil { stop("shut down", critical: false) }
        storage.closeFiles()
    }

    /// Proposes one voter change; returns its index at once (the change takes effect as it is
    /// appended, and `configuration` shows it). Only one may be uncommitted at a time.
    @discardableResult
    func changeConfiguration(_ change: ConfigurationChange) throws -> LogIndex {
        if let stopped { throw ProposalError.stopped(stopped) }
        do throws(ConsensusError) {
            let index = try raft.proposeConfigurationChange(change)
            drain()
            return index
        } catch {
            throw ProposalError.refused(error)
        }
    }

    /// Hands leadership to `target` (a voter); the transfer completes, or is abandoned, on its own.
    func transferLeadership(to target: ReplicaID) throws {
        do throws(ConsensusError) {
            try raft.transferLeadership(to: target)
            drain()
        } catch {
            throw ProposalError.refused(error)
        }
    }

    var term: Term { raft.term }
    /// The configuration in force (the latest appended).
    var configuration: Configuration { raft.configuration }
    /// Each follower's progress while this replica leads.
    var followers: [ReplicaID: FollowerProgress] { raft.followers }
    /// Whether this leader may serve reads alone right now.
    var holdsLease: Bool { raft.holdsLease }
    /// The index the stored snapshot covers.
    var snapshotIndex: LogIndex { storage.snapshot.metadata.index }
    var commitIndex: LogIndex { raft.commitIndex }
    var appliedIndex: LogIndex { raft.appliedIndex }

    /// Whether a drain is queued on this actor behind the calls already waiting for it.
    private var drainQueued = false

    /// Drains once the calls already queued on this actor have run, so the proposals and
    /// messages that arrived during one `Ready`'s fsync share the next `Ready`: one write and
    /// one fsync of the log, one append per follower (group commit). Proposals and messages
    /// only append to the core; nothing they answer is sent before the drain persists it.
    private func scheduleDrain() {
        guard !drainQueued else { return }
        drainQueued = true
        Task { self.drainQueuedWork() }
    }

    private func drainQueuedWork() {
        drainQueued = false
        drain()
    }

    /// Carries out every pending `Ready`, each completely and in order.
    private func drain() {
        while stopped == nil, raft.hasReady {
            let ready = raft.takeReady()
            // A leader's appends go out before its own fsync, so the followers write in parallel.
            let early = ready.messagesBeforePersisting
            if !early.isEmpty { outbox(early) }
            do {
                try storage.persist(ready)
            } catch {
                // The core believes this Ready is durable: nothing more may be sent or applied.
                stop("the Raft log cannot be written: \(error)")
                return
            }
            let late = ready.messagesAfterPersisting
            if !late.isEmpty { outbox(late) }
            if let snapshot = ready.snapshot {
                do {
                    try machine.restore(snapshot.data)
                } catch {
                    stop("snapshot \(snapshot.metadata.index) cannot be installed: \(error)")
                    return
                }
            }
            for entry in ready.committedEntries { apply(entry) }
            if !ready.committedEntries.isEmpty || ready.snapshot != nil {
                compactIfDue()
                wakeApplyWaiters()
            }
            for state in ready.readStates {
                guard let context = Self.context(state.context), let waiter = reads.removeValue(forKey: context) else { continue }
                confirmedReads.append((state.index, context, waiter))
            }
            let applied = raft.appliedIndex
            confirmedReads.removeAll { read in
                guard read.index <= applied else { return false }
                read.continuation.resume()
                return true
            }
            for event in ready.events { report(event) }
        }
    }

    private func apply(_ entry: Entry) {
        guard entry.kind == .normal else {
            if let waiter = proposals.removeValue(forKey: entry.index) {
                waiter.continuation.resume(throwing: ProposalError.superseded(index: entry.index))
            }
            return
        }
        let outcome = machine.apply(entry)
        guard let waiter = proposals.removeValue(forKey: entry.index) else { return }
        if entry.term == waiter.term {
            waiter.continuation.resume(returning: (entry.index, entry.term, outcome))
        } else {
            waiter.continuation.resume(throwing: ProposalError.superseded(index: entry.index))
        }
    }

    /// Snapshots the state machine and drops the log it covers once enough entries were
    /// applied past the last snapshot; a follower that needs the dropped entries gets the
    /// snapshot from the leader instead.
    private func compactIfDue() {
        let applied = raft.appliedIndex
        guard applied >= storage.snapshot.metadata.index + compactionThreshold else { return }
        let snapshot: Snapshot
        do throws(ConsensusError) {
            snapshot = try raft.compact(through: applied, data: machine.snapshot())
        } catch {
            logger.warning("raft compaction skipped", metadata: ["applied": "\(applied)", "error": "\(error)"])
            return
        }
        do {
            try storage.compact(through: snapshot)
        } catch {
            stop("the Raft log cannot be compacted: \(error)")
        }
    }

    private func report(_ event: RaftEvent) {
        switch event {
        case .roleChanged(let role, let term):
            self.role = role
            if role == .candidate { electionsStarted += 1 }
            logger.info("raft role", metadata: ["role": "\(role)", "term": "\(term)"])
        case .leaderChanged(let leader, let term):
            self.leader = leader
            if leader != nil { leaderChanges += 1 }
            logger.info("raft leader", metadata: ["leader": "\(leader.map { "\($0)" } ?? "none")", "term": "\(term)"])
            // A read point asked of the old leader may never come: the caller retries.
            for (_, waiter) in reads { waiter.resume(throwing: ProposalError.readInterrupted) }
            reads = [:]
        case .configurationChanged(let configuration):
            logger.info("raft configuration", metadata: ["configuration": "\(configuration)"])
        }
    }

    private func stop(_ reason: String, critical: Bool = true) {
        stopped = reason
        if critical { logger.critical("Raft replica stopped; it needs the agent restarted", metadata: ["reason": "\(reason)"]) }
        for (_, waiter) in proposals { waiter.continuation.resume(throwing: ProposalError.stopped(reason)) }
        for (_, waiter) in reads { waiter.resume(throwing: ProposalError.stopped(reason)) }
        for read in confirmedReads { read.continuation.resume(throwing: ProposalError.stopped(reason)) }
        proposals = [:]
        reads = [:]
        confirmedReads = []
        applyWaiters.wake { _ in true }
    }

    /// Calls waiting for the applied index to pass theirs (watches).
    private nonisolated let applyWaiters = ApplyWaiters()

    /// Returns once this replica has applied past `index` (at once if it has, or if it
    /// stopped), or when the calling task is cancelled (a watch's wait ran out).
    func waitForApplied(past index: LogIndex) async {
        if raft.appliedIndex > index || stopped != nil { return }
        let waiters = applyWaiters
        let id = waiters.newID()
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                waiters.add(id, after: index, continuation)
            }
        } onCancel: {
            waiters.cancel(id)
        }
    }

    private func wakeApplyWaiters() {
        let applied = raft.appliedIndex
        applyWaiters.wake { $0 < applied }
    }

    private static func bytes(_ context: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: context >> (8 * (7 - $0))) } }

    private static func context(_ bytes: [UInt8]) -> UInt64? {
        guard bytes.count == 8 else { return nil }
        return bytes.reduce(0) { $0 << 8 | UInt64($1) }
    }
}
