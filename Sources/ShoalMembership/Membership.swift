import ShoalRandom
/// SWIM with Lifeguard as a pure state machine (SWIM, Lifeguard, memberlist as reference).
///
/// It reads no clock, owns no socket and draws randomness only from a generator seeded by the
/// caller. Every entry point takes the caller's `now` and returns the effects the shell must
/// carry out; the shell calls `tick(now:)` again at `nextDeadline`. Two instances fed the same
/// inputs produce the same outputs.
public struct Membership: Sendable {
    /// This node's identity.
    public let myself: NodeID
    /// The timing profile in force.
    public let config: MembershipConfig
    /// This node's current incarnation; raised to refute and persisted through an effect.
    public internal(set) var incarnation: UInt64
    /// Counters for metrics and tests.
    public internal(set) var counters = MembershipCounters()
    /// True once a graceful leave has completed; the instance then ignores every input.
    public internal(set) var hasLeft = false

    let authenticator: any StatementAuthenticator
    var rng: SeededGenerator
    var metadata: MemberMetadata
    var table = MemberTable()
    var mySlot: Int32 = 0
    var probeOrder: [Int32] = []
    var probeIndex = 0
    var probe: ProbeInFlight?
    var forwards: [ForwardedProbe] = []
    var broadcasts = TransmitQueue()
    var suspicions: [Int32: Suspicion] = [:]
    var timers = DeadlineHeap<MemberTimer>()
    var health: LocalHealth
    var nextSeq: UInt64
    var nextProbeAt: Duration
    var nextGossipAt: Duration
    var nextPushPullAt: Duration
    var nextReprobeAt: Duration
    var seeds: [MemberAddress] = []
    /// Who answered at each seed address, so a seed is retried only while it is not known alive.
    var seedMembers: [MemberAddress: NodeID] = [:]
    var leaveCompletesAt: Duration?
    /// When the newest request this node sent that has since been answered (by an ack or a nack)
    /// was sent: proof that its sends reached at least one member at that time. The send time,
    /// not the answer's arrival, so that an answer already on its way when this node's link went
    /// down does not count as evidence that the link still works.
    var lastAnsweredSendAt: Duration?
    var excusedProbe: ExcusedProbe?
    /// Members declared dead within `config.gossipToTheDeadTime`, oldest first, with the
    /// generation of the record when it died (a later change makes the entry stale).
    var recentlyDead: [(slot: Int32, generation: UInt32, diedAt: Duration)] = []
    /// Set while restoring a trusted snapshot: no gossip, no events.
    var quiet = false

    /// Creates the instance for this node.
    ///
    /// - Parameters:
    ///   - incarnation: the persisted incarnation plus one (a restart must supersede the old
    ///     life); the first `join` emits `persistIncarnation` for it.
    ///   - randomSeed: seeds probe order, target choice and timer phases.
    public init(
        myself: NodeID,
        metadata: MemberMetadata,
        incarnation: UInt64,
        config: MembershipConfig,
        authenticator: any StatementAuthenticator,
        randomSeed: UInt64,
        now: Duration
    ) {
        self.myself = myself
        self.metadata = metadata
        self.incarnation = incarnation
        self.config = config
        self.authenticator = authenticator
        var rng = SeededGenerator(seed: randomSeed)
        health = LocalHealth(maximumMultiplier: config.awarenessMaxMultiplier)
        // Start sequence numbers at a random point so a restarted node never matches acks
        // meant for its previous life.
        nextSeq = rng.next() >> 16
        // Random phases keep a cluster that started together from probing in lockstep.
        nextProbeAt = now + Membership.fraction(of: config.probeInterval, using: &rng)
        nextGossipAt = now + config.gossipInterval
        // The first anti-entropy round comes at a random point of the first period (memberlist
        // `pushPullTrigger`), so a member a join's gossip missed is repaired within one period.
        nextPushPullAt = now + Membership.fraction(of: config.pushPullInterval, using: &rng)
        nextReprobeAt = now + config.reprobeDeadInterval + Membership.fraction(of: config.reprobeDeadInterval, using: &rng)
        self.rng = rng
        let alive = Statement.signed(subject: myself, incarnation: incarnation, claim: .alive(metadata), by: authenticator)
        mySlot = table.insert(alive: alive, status: .alive, now: now)
    }

    /// Every member this node knows, itself and tombstones included, in table order.
    public var members: [Member] {
        table.records.compactMap { record in record.map(Membership.member(from:)) }
    }

    /// What this node believes about `id`, if it knows it.
    public func member(_ id: NodeID) -> Member? {
        guard let slot = table.slot(of: id), let record = table[slot] else { return nil }
        return Membership.member(from: record)
    }

    /// The statement behind this node's belief about `id`: the accusation (naming and signed
    /// by its accuser) when suspect, dead or left, else the subject's alive statement. Lets an
    /// operator trace who accused whom.
    public func latestStatement(about id: NodeID) -> Statement? {
        guard let slot = table.slot(of: id), let record = table[slot] else { return nil }
        return record.accusation ?? record.alive
    }

    /// Number of alive and suspect members, this node included: the n of every log(n).
    public var liveMemberCount: Int { table.active.count + 1 }

    /// Members in the table, tombstones included.
    public var knownMemberCount: Int { table.count }

    /// Lifeguard local health score, 0 (healthy) up to `awarenessMaxMultiplier - 1`.
    public var localHealth: Int { health.score }

    /// Statements waiting to be disseminated.
    public var pendingBroadcasts: Int { broadcasts.count }

    /// This node's own signed alive statement.
    public var ownAlive: Statement { table[mySlot]!.alive }

    static func member(from record: MemberRecord) -> Member {
        Member(
            id: record.alive.subject, metadata: record.alive.metadata!, status: record.status,
            incarnation: record.incarnation, statusChangedAt: record.changedAt)
    }

    func member(at slot: Int32) -> Member {
        Membership.member(from: table[slot]!)
    }

    static func fraction(of interval: Duration, using rng: inout SeededGenerator) -> Duration {
        interval * Double.random(in: 0..<1, using: &rng)
    }
}
