import Logging
import ShoalConsensus

/// What a replica's committed entries are applied to. Owned by one `ConsensusNode`.
protocol ReplicatedStateMachine: AnyObject {
    /// Applies one committed `.normal` entry, in log order.
    func apply(_ entry: Entry)
    /// The whole state, for a snapshot.
    func snapshot() -> [UInt8]
    /// Replaces the whole state with a snapshot's.
    func restore(_ snapshot: [UInt8])
}

/// Why a proposal did not take effect.
enum ProposalError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The core refused it (this node is not the leader, a transfer is under way, ...).
    case refused(ConsensusError)
    /// Another entry was committed at its index (leadership changed before it committed).
    case superseded(index: LogIndex)
    /// The node's storage failed; it must restart.
    case storageFailed(String)

    var description: String {
        switch self {
        case .refused(let error): "\(error)"
        case .superseded(let index): "lost to a change of leader before it committed (index \(index)); retry"
        case .storageFailed(let reason): "the Raft log cannot be written: \(reason)"
        }
    }
}

/// One Raft replica, run as its `Ready` says. The pure core (`ShoalConsensus.Raft`) decides;
/// this actor carries out each `Ready` in its stated order: persist (`RaftStorage`, fsynced)
/// before anything that depends on it, then send (`outbox`), then apply committed entries to
/// the state machine and complete the proposals waiting on them. Time arrives as `tick()`
/// calls from whoever owns the clock; randomness as the core's seed.
actor ConsensusNode {
    nonisolated let id: ReplicaID
    private var raft: Raft
    private let storage: RaftStorage
    private let machine: any ReplicatedStateMachine
    private let outbox: @Sendable ([Message]) -> Void
    private let logger: Logger
    /// Proposals waiting for their entry to be applied: index → (term proposed in, waiter).
    private var waiting: [LogIndex: (term: Term, continuation: CheckedContinuation<LogIndex, any Error>)] = [:]
    private var failure: RaftStorageError?
    /// The leader this node knows of, and its term.
    private(set) var leader: ReplicaID?
    private(set) var role: Role = .follower

    /// A replica over `storage`. A new storage (nothing stored) starts from `bootstrap`: the
    /// founding voters, the same on every founding node.
    init(
        id: ReplicaID, config: RaftConfig, storage: RaftStorage, bootstrap voters: [ReplicaID], machine: any ReplicatedStateMachine,
        randomSeed: UInt64, logger: Logger, outbox: @escaping @Sendable ([Message]) -> Void
    ) throws(RaftStorageError) {
        if storage.isEmpty, !voters.isEmpty {
            try storage.install(PersistedState.bootstrap(voters: voters).snapshot)
        }
        let persisted = storage.persistedState
        machine.restore(persisted.snapshot.data)
        self.id = id
        self.storage = storage
        self.machine = machine
        self.outbox = outbox
        self.logger = logger
        raft = Raft(id: id, config: config, persisted: persisted, applied: persisted.snapshot.metadata.index, randomSeed: randomSeed)
    }

    /// One tick of the core's logical clock (`RaftConfig` counts timeouts in ticks).
    func tick() {
        raft.tick()
        drain()
    }

    /// A message from a peer (its sender already checked against the connection's peer).
    func receive(_ message: Message) {
        raft.step(message)
        drain()
    }

    /// Proposes `data`; returns its index once it is committed and applied here.
    func propose(_ data: [UInt8]) async throws -> LogIndex {
        if let failure { throw ProposalError.storageFailed("\(failure)") }
        let index: LogIndex
        do {
            index = try raft.propose(data)
        } catch {
            throw ProposalError.refused(error)
        }
        let term = raft.term
        return try await withCheckedThrowingContinuation { continuation in
            waiting[index] = (term, continuation)
            drain()
        }
    }

    /// Starts an election now (an operator's or a test's nudge; elections otherwise follow ticks).
    func campaign() {
        raft.campaign()
        drain()
    }

    var term: Term { raft.term }
    var commitIndex: LogIndex { raft.commitIndex }
    var appliedIndex: LogIndex { raft.appliedIndex }

    /// Carries out every pending `Ready`, each completely and in order.
    private func drain() {
        while failure == nil, raft.hasReady {
            let ready = raft.takeReady()
            do {
                try storage.persist(ready)
            } catch {
                // The core believes this Ready is durable: nothing more may be sent or applied.
                failure = error
                logger.critical("Raft log write failed; this replica stops until the agent restarts", metadata: ["error": "\(error)"])
                for (_, waiter) in waiting { waiter.continuation.resume(throwing: ProposalError.storageFailed("\(error)")) }
                waiting = [:]
                return
            }
            if !ready.messages.isEmpty { outbox(ready.messages) }
            if let snapshot = ready.snapshot { machine.restore(snapshot.data) }
            for entry in ready.committedEntries {
                if entry.kind == .normal { machine.apply(entry) }
                guard let waiter = waiting.removeValue(forKey: entry.index) else { continue }
                if entry.term == waiter.term {
                    waiter.continuation.resume(returning: entry.index)
                } else {
                    waiter.continuation.resume(throwing: ProposalError.superseded(index: entry.index))
                }
            }
            for event in ready.events {
                switch event {
                case .roleChanged(let role, let term):
                    self.role = role
                    logger.info("raft role", metadata: ["role": "\(role)", "term": "\(term)"])
                case .leaderChanged(let leader, let term):
                    self.leader = leader
                    logger.info("raft leader", metadata: ["leader": "\(leader.map { "\($0)" } ?? "none")", "term": "\(term)"])
                case .configurationChanged(let configuration):
                    logger.info("raft configuration", metadata: ["configuration": "\(configuration)"])
                }
            }
        }
    }
}
