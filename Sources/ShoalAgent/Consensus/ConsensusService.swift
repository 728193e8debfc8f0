import CoreMetrics
import Foundation
import Logging
import ServiceLifecycle
import ShoalConsensus
import ShoalMembership
import ShoalTransport
import Synchronization

/// Leadership as the agent runs it: founds the cluster's Raft group once `bootstrap_expect`
/// members see each other (`Bootstrap`), runs this node's replica when it is one (a voter or a
/// standby), lets the leader choose the voters from the membership feed (`VoterPolicy`), and
/// answers key-value requests locally or through the leader (`leader/1`).
///
/// An agent that is not a replica is a client of the leader, as Nomad's clients are of its
/// servers: it forwards every request, so the log is replicated to at most a handful of nodes.
actor ConsensusService: Service {
    typealias Node = ConsensusNode<ClusterState>

    struct Settings: Sendable {
        /// Members that must see each other before a new group is founded.
        var bootstrapExpect: Int
        /// `<state_dir>/raft`: the log; the bootstrap promise sits beside it.
        var directory: String
        /// The core's tick, and its timeouts counted in ticks.
        var tickInterval: Duration = .milliseconds(25)
        var raft: RaftConfig = Self.agentRaftConfig
        var policy = VoterPolicy()
        /// How long one request waits for a leader before it fails as unavailable.
        var requestDeadline: Duration = .seconds(5)

        /// 25 ms ticks: heartbeats every 50 ms, elections after 300-600 ms of silence, a 250 ms lease.
        static var agentRaftConfig: RaftConfig {
            var config = RaftConfig()
            config.electionTicks = 12
            config.heartbeatTicks = 2
            config.leaseTicks = 10
            return config
        }

        var promisePath: String { directory + ".promise" }
        var fencePath: String { directory + ".fence" }
    }

    enum Phase {
        /// Not a replica: founding a group, or a client of the group's leader.
        case outside
        case replica(Node)
    }

    nonisolated let myself: ReplicaID
    nonisolated let myName: String
    let settings: Settings
    let transport: Transport
    let wire: RaftWire
    let membership: MembershipService
    let addresses: AddressBook
    let clock: ShellClock
    let logger: Logger
    let metrics: ConsensusMetrics
    /// The newest term seen, durably: answers from older terms are refused.
    let fence: FenceKeeper
    /// What `checkState` read at start, so the log is replayed once more only if it exists.
    private let stored: StoredState

    var phase: Phase = .outside
    /// Towards founding a group; `.member` once this node is a replica.
    var standing: Bootstrap.Standing = .free
    /// The members membership reports, by replica id, and when each last changed health.
    var members: [ReplicaID: ShoalMembership.Member] = [:]
    var since: [ReplicaID: Duration] = [:]
    /// When the next bootstrap attempt may start.
    var nextAttempt: Duration = .zero
    /// A member answered that it is in a group: this agent never founds one (until it restarts).
    var groupExists = false
    /// The leader last learnt of (a replica's own view, or a hint a client was given).
    var knownLeader: ReplicaID?
    var leaderSince: (id: ReplicaID, term: Term, at: UInt64)?
    var lastVoterChange: Duration?
    /// Which member a client with no known leader asks next.
    var forwardAttempt = 0
    var lastStatus: Node.Status?
    var stopping = false
    /// The shell-clock time the replica has been ticked up to (`catchUpTicks`).
    var tickedUpTo: Duration?

    init(
        myself: ReplicaID, name: String, settings: Settings, transport: Transport, membership: MembershipService, clock: ShellClock,
        logger: Logger, metrics: ConsensusMetrics, stored: StoredState
    ) {
        self.myself = myself
        myName = name
        self.settings = settings
        self.transport = transport
        self.membership = membership
        self.clock = clock
        self.logger = logger
        self.metrics = metrics
        fence = stored.fence
        self.stored = stored
        let addresses = AddressBook()
        self.addresses = addresses
        wire = RaftWire(transport: transport, myself: myself, resolve: { addresses.address(of: $0) }, logger: logger)
    }

    /// Registers `raft/1` and `leader/1`; called before the transport runs.
    nonisolated func registerProtocols(on transport: Transport) {
        wire.register { [self] message in await self.receive(message) }
        transport.register(.leader) { [self] connection in await self.serve(connection) }
    }

    func run() async throws {
        try openExistingReplica()
        let feed = await membership.subscribeFeed()
        observe(feed.snapshot)
        await withDiscardingTaskGroup { group in
            group.addTask { await self.wire.run() }
            group.addTask {
                await cancelWhenGracefulShutdown {
                    for await change in feed.changes { await self.observe(change) }
                }
            }
            group.addTask { await cancelWhenGracefulShutdown { await self.tickLoop() } }
            group.addTask {
                try? await gracefulShutdown()
                await self.stop()
            }
        }
    }

    /// Opens the Raft log and the bootstrap promise once before the agent starts, so a damaged
    /// one stops the agent with a message naming the file instead of failing a running service.
    /// What it read is the service's starting point.
    static func checkState(_ settings: Settings) throws(AgentError) -> StoredState {
        do {
            let storage = try RaftStorage(directory: settings.directory)
            storage.closeFiles()
            return StoredState(
                logExists: !storage.isEmpty, recoveryNotices: storage.recoveryNotices,
                promise: try PromiseFile.load(settings.promisePath), fence: try FenceKeeper(path: settings.fencePath))
        } catch {
            throw AgentError.stateDirectory(path: settings.directory, reason: "\(error)")
        }
    }

    /// A replica whose log is on disk runs at once; an empty log waits for a group.
    private func openExistingReplica() throws {
        for notice in stored.recoveryNotices { logger.warning("raft log recovered", metadata: ["notice": "\(notice)"]) }
        if !stored.logExists {
            standing = stored.promise.map(Bootstrap.Standing.promised) ?? .free
            if case .promised(let promise) = standing { logger.info("bootstrap promise kept", metadata: ["promise": "\(promise)"]) }
            return
        }
        try becomeReplica(founding: [])
    }

    /// Starts this node's replica over its log (founding `voters` if the log is new).
    func becomeReplica(founding voters: [ReplicaID]) throws {
        guard case .outside = phase else { return }
        let storage = try RaftStorage(directory: settings.directory)
        let wire = self.wire
        let node = try Node(
            id: myself, config: settings.raft, storage: storage, bootstrap: voters, machine: ClusterState(),
            randomSeed: UInt64.random(in: .min ... .max), logger: logger, outbox: { wire.send($0) })
        phase = .replica(node)
        standing = .member
        PromiseFile.remove(settings.promisePath)
        logger.info(
            voters.isEmpty ? "raft replica started" : "raft group founded",
            metadata: ["voters": "\(voters.map { addresses.name(of: $0) ?? "\($0)" })"])
    }

    /// A Raft message from a peer: to the replica, or, outside, the sign that a group wants
    /// this node (a founder's first words, or a leader adding it as a standby).
    func receive(_ message: Message) async {
        if case .outside = phase {
            switch standing {
            case .promised(let promise) where Bootstrap.founds(promise, heardFrom: message.from):
                do { try becomeReplica(founding: promise.voters) } catch { return fail("the Raft log cannot be opened: \(error)") }
            case .promised:
                logger.debug("raft message ignored: promised to another group", metadata: ["from": "\(message.from)"])
                return
            default:
                do { try becomeReplica(founding: []) } catch { return fail("the Raft log cannot be opened: \(error)") }
            }
        }
        guard case .replica(let node) = phase else { return }
        await node.receive(message)
    }

    private func tickLoop() async {
        var ticks = 0
        let housekeepingTicks = max(1, Int(Duration.milliseconds(500) / settings.tickInterval))
        while !Task.isCancelled, !stopping {
            guard case .replica(let node) = phase else {
                // Outside the group there is nothing to tick (most agents of a large cluster
                // are outside, and 40 empty wake-ups a second each were a good part of their
                // idle CPU): wake every fourth tick, so a replica started by a message waits at
                // most that long for its first tick.
                tickedUpTo = nil
                try? await clock.sleep(settings.tickInterval * Self.outsideTickStride)
                ticks += Self.outsideTickStride
                if ticks >= housekeepingTicks {
                    ticks = 0
                    await housekeeping()
                }
                continue
            }
            try? await clock.sleep(settings.tickInterval)
            await catchUpTicks(node)
            ticks += 1
            if ticks >= housekeepingTicks {
                ticks = 0
                await housekeeping()
            }
        }
    }

    /// Ticks the replica once for every tick interval of the shell's clock since it last ticked
    /// (at most `maximumCatchUpTicks` at once), so its clock follows real time: after this
    /// process was paused (SIGSTOP, a stalled VM) or starved, a leader learns that its lease ran
    /// out before it answers another read from it (the sleep loop alone gives one tick per wake).
    func catchUpTicks(_ node: Node) async {
        let now = clock.elapsed()
        let interval = settings.tickInterval
        let last = tickedUpTo ?? (now - interval)
        let due = Int((now - last) / interval)
        guard due > 0 else { return }
        tickedUpTo = due > Self.maximumCatchUpTicks ? now : last + interval * due
        record(await node.tick(min(due, Self.maximumCatchUpTicks)))
    }

    /// Ticks an agent outside the group sleeps between looks at its phase.
    static let outsideTickStride = 4

    /// Past an election timeout and a lease, more ticks at once change nothing more.
    static let maximumCatchUpTicks = 64

    private func record(_ status: Node.Status) {
        defer { lastStatus = status }
        if status.term > fence.term { _ = fence.admit(status.term) }
        if let leader = status.leader {
            knownLeader = leader
            if leaderSince?.id != leader || leaderSince?.term != status.term {
                leaderSince = (leader, status.term, clock.unixSeconds)
            }
        } else if status.leader == nil {
            leaderSince = nil
        }
        metrics.record(status, previous: lastStatus)
        metrics.recordMessages(sent: wire.sent, received: wire.received, refused: wire.refused)
    }

    /// Every half second: found a group while outside one, choose voters while leading.
    private func housekeeping() async {
        switch phase {
        case .outside: await attemptBootstrap()
        case .replica(let node): await manageVoters(node)
        }
    }

    private func stop() async {
        stopping = true
        if case .replica(let node) = phase {
            // A leader that stops hands over rather than letting the group time out.
            if lastStatus?.role == .leader, let successor = await node.configuration.voters.first(where: { $0 != myself }) {
                try? await node.transferLeadership(to: successor)
                try? await clock.sleep(settings.tickInterval * 4)
            }
            await node.shutdown()
        }
        wire.shutdown()
    }

    func fail(_ reason: String) {
        logger.critical("leadership stopped on this node", metadata: ["reason": "\(reason)"])
    }

    // MARK: membership

    private func observe(_ snapshot: [ShoalMembership.Member]) {
        for member in snapshot { update(member) }
    }

    private func observe(_ change: MembershipFeed.Change) {
        guard let id = ReplicaID(bytes: change.id.bytes) else { return }
        if let member = change.member {
            update(member)
        } else if change.kind == .reaped {
            members[id] = nil
            since[id] = nil
        }
        // A coordinator that failed before founding anything frees its promise (DESIGN: a
        // founder that heard nothing from it was never counted in a group that formed).
        if case .promised(let promise) = standing, promise.coordinator == id, change.kind == .failed || change.kind == .left {
            standing = .free
            PromiseFile.remove(settings.promisePath)
            logger.notice("bootstrap promise released: its coordinator failed", metadata: ["coordinator": "\(change.member?.metadata.name ?? "\(id)")"])
        }
    }

    private func update(_ member: ShoalMembership.Member) {
        guard let id = ReplicaID(bytes: member.id.bytes) else { return }
        let wasHealthy = members[id].map { $0.status == .alive }
        members[id] = member
        if wasHealthy != (member.status == .alive) { since[id] = clock.elapsed() }
        addresses.set(id, name: member.metadata.name, host: member.metadata.address.host, port: Int(member.metadata.address.port))
    }

    /// Alive members by replica id, this node included.
    var aliveMembers: [ReplicaID] {
        Array(Set(members.filter { $0.value.status == .alive }.map(\.key) + [myself])).sorted()
    }
}

/// The durable state `ConsensusService.checkState` found before the agent started.
struct StoredState: Sendable {
    /// The Raft log holds something (this node is a replica).
    var logExists: Bool
    var recoveryNotices: [RecoveryNotice]
    var promise: Bootstrap.Promise?
    var fence: FenceKeeper
}

/// Who is reachable where, from the membership feed: read by `RaftWire`'s senders on any thread.
final class AddressBook: Sendable {
    private let entries = Mutex<[ReplicaID: (name: String, host: String, port: Int)]>([:])

    func set(_ id: ReplicaID, name: String, host: String, port: Int) {
        entries.withLock { $0[id] = (name, host, port) }
    }

    func address(of id: ReplicaID) -> (host: String, port: Int)? {
        entries.withLock { $0[id].map { ($0.host, $0.port) } }
    }

    func name(of id: ReplicaID) -> String? { entries.withLock { $0[id]?.name } }
}

/// Leadership's metrics (`shoal_raft_*`).
final class ConsensusMetrics: Sendable {
    let factory: any MetricsFactory
    private let term: CoreMetrics.Gauge
    private let commitIndex: CoreMetrics.Gauge
    private let appliedIndex: CoreMetrics.Gauge
    private let isLeader: CoreMetrics.Gauge
    private let elections: CoreMetrics.Counter
    private let leaderChanges: CoreMetrics.Counter
    let proposalLatency: CoreMetrics.Timer
    private let messagesSent: CoreMetrics.Counter
    private let messagesReceived: CoreMetrics.Counter
    private let messagesRefused: CoreMetrics.Counter
    private let counted = Mutex<(sent: Int, received: Int, refused: Int)>((0, 0, 0))

    init(factory: any MetricsFactory) {
        self.factory = factory
        term = CoreMetrics.Gauge(label: "shoal_raft_term", factory: factory)
        commitIndex = CoreMetrics.Gauge(label: "shoal_raft_commit_index", factory: factory)
        appliedIndex = CoreMetrics.Gauge(label: "shoal_raft_applied_index", factory: factory)
        isLeader = CoreMetrics.Gauge(label: "shoal_raft_leader", factory: factory)
        elections = CoreMetrics.Counter(label: "shoal_raft_elections_started_total", factory: factory)
        leaderChanges = CoreMetrics.Counter(label: "shoal_raft_leader_changes_total", factory: factory)
        proposalLatency = CoreMetrics.Timer(label: "shoal_raft_append_latency_seconds", factory: factory)
        messagesSent = CoreMetrics.Counter(label: "shoal_raft_messages_sent_total", factory: factory)
        messagesReceived = CoreMetrics.Counter(label: "shoal_raft_messages_received_total", factory: factory)
        messagesRefused = CoreMetrics.Counter(label: "shoal_raft_messages_refused_total", factory: factory)
    }

    /// Brings the message counters up to `RaftWire`'s running totals.
    func recordMessages(sent: Int, received: Int, refused: Int) {
        let (ds, dr, df) = counted.withLock { counted in
            defer { counted = (sent, received, refused) }
            return (sent - counted.sent, received - counted.received, refused - counted.refused)
        }
        if ds > 0 { messagesSent.increment(by: ds) }
        if dr > 0 { messagesReceived.increment(by: dr) }
        if df > 0 { messagesRefused.increment(by: df) }
    }

    func record(_ status: ConsensusNode<ClusterState>.Status, previous: ConsensusNode<ClusterState>.Status?) {
        term.record(Int64(clamping: status.term))
        commitIndex.record(Int64(clamping: status.commitIndex))
        appliedIndex.record(Int64(clamping: status.appliedIndex))
        isLeader.record(status.role == .leader ? 1 : 0)
        let elected = status.electionsStarted - (previous?.electionsStarted ?? 0)
        if elected > 0 { elections.increment(by: elected) }
        let changed = status.leaderChanges - (previous?.leaderChanges ?? 0)
        if changed > 0 { leaderChanges.increment(by: changed) }
    }
}
