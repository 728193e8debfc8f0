/// Timing and sizing of the membership protocol.
///
/// The presets follow memberlist's `DefaultLANConfig`, `DefaultWANConfig` and
/// `DefaultLocalConfig`; tombstone and re-probe times follow Serf's reconnect settings.
public struct MembershipConfig: Sendable {
    /// Time between two probes of the round-robin (SWIM §4.3 protocol period), before the
    /// Lifeguard multiplier.
    public var probeInterval: Duration
    /// How long a direct ping waits for its ack before indirect probes start.
    public var probeTimeout: Duration
    /// k: members asked to ping the target on our behalf (SWIM §3.1).
    public var indirectProbes: Int
    /// α: the minimum suspicion timeout is α · max(1, log10(n)) · probeInterval.
    public var suspicionMultiplier: Int
    /// The maximum suspicion timeout, reached with no confirmations, is this times the minimum
    /// (Lifeguard IV.B).
    public var suspicionMaxTimeoutMultiplier: Int
    /// λ: a statement is piggybacked λ · ceil(log10(n + 1)) times (SWIM §4.1).
    public var retransmitMultiplier: Int
    /// Anti-entropy period with one random member; scaled up above 32 members like memberlist.
    public var pushPullInterval: Duration
    /// Period of gossip-only datagrams when statements are waiting to be disseminated.
    public var gossipInterval: Duration
    /// Members each gossip round is sent to.
    public var gossipFanout: Int
    /// Extra datagrams a gossip round may send, each to another random member, while more
    /// statements wait than `gossipFanout` datagrams carry (a join storm's backlog: an alive
    /// statement carries a certificate, so only about three fit a datagram). Idle rounds send
    /// none. 8 (with `joinFollowUp`, which removed the 10-18 s tail it had alone: statements
    /// spent their retransmissions before late joiners knew them) takes a 50-node join storm in
    /// the simulator from 1.9 s to 1.5 s and a 100-node one from 4.1 s to 2.8 s at the median.
    public var gossipBurst = 8
    /// How long dead and left members stay as tombstones before they are reaped.
    public var deadReapTime: Duration
    /// Period of push-pull with a random dead member (or a seed when alone), so healed
    /// partitions merge without an operator.
    public var reprobeDeadInterval: Duration
    /// How long after declaring a member dead this node still pings it, once per probe period,
    /// with the accusation (memberlist `GossipToTheDeadTime`): a partition that heals within this
    /// time merges in a probe period or two, each side refuting what the other said of it,
    /// instead of waiting for a re-probe of the dead.
    public var gossipToTheDeadTime = Duration.seconds(30)
    /// A joiner's first periodic push-pull comes between this and twice this after it joined,
    /// not at a random point of the whole first period: in a join storm a statement can spend
    /// its retransmissions before a late joiner is known to those who relay it, and this
    /// exchange with a random member repairs what gossip missed. Nil: no follow-up.
    public var joinFollowUp: Duration? = .seconds(1)
    /// Lifeguard's local health multiplier cap (IV.A): the score runs 0 ..< this.
    public var awarenessMaxMultiplier: Int
    /// Budget for one datagram's messages: 1,400 bytes of UDP payload minus envelope overhead.
    public var maxPayloadBytes: Int
    /// Bytes of each alive statement's certificate that the shell leaves out of a datagram
    /// because the receiver rebuilds them (the agent sends a certificate's core: 72 bytes less);
    /// packing counts an alive statement this much smaller. 0 (the simulator's fake
    /// certificates travel whole).
    public var certificateBytesElided = 0
    /// How long a graceful leave keeps gossiping its left statement before it completes.
    public var leavePropagationTime: Duration
    /// Whether a failed direct ping also asks the shell for a TCP ping (memberlist fallback).
    public var streamFallbackPing: Bool

    /// Memberwise initialiser; prefer starting from a preset and changing a field.
    public init(
        probeInterval: Duration,
        probeTimeout: Duration,
        indirectProbes: Int,
        suspicionMultiplier: Int,
        suspicionMaxTimeoutMultiplier: Int,
        retransmitMultiplier: Int,
        pushPullInterval: Duration,
        gossipInterval: Duration,
        gossipFanout: Int,
        deadReapTime: Duration,
        reprobeDeadInterval: Duration,
        awarenessMaxMultiplier: Int,
        maxPayloadBytes: Int,
        leavePropagationTime: Duration,
        streamFallbackPing: Bool,
        gossipToTheDeadTime: Duration = .seconds(30)
    ) {
        self.probeInterval = probeInterval
        self.probeTimeout = probeTimeout
        self.indirectProbes = indirectProbes
        self.suspicionMultiplier = suspicionMultiplier
        self.suspicionMaxTimeoutMultiplier = suspicionMaxTimeoutMultiplier
        self.retransmitMultiplier = retransmitMultiplier
        self.pushPullInterval = pushPullInterval
        self.gossipInterval = gossipInterval
        self.gossipFanout = gossipFanout
        self.deadReapTime = deadReapTime
        self.reprobeDeadInterval = reprobeDeadInterval
        self.awarenessMaxMultiplier = awarenessMaxMultiplier
        self.maxPayloadBytes = maxPayloadBytes
        self.leavePropagationTime = leavePropagationTime
        self.streamFallbackPing = streamFallbackPing
        self.gossipToTheDeadTime = gossipToTheDeadTime
    }

    /// One data centre; the default. memberlist `DefaultLANConfig` except for the timing of
    /// failure detection: probe every 250 ms (direct timeout 125 ms) with suspicion multiplier
    /// 8, so the minimum suspicion is 2 s at ≤ 10 members, 3.2 s at 40, 3.4 s at 50 (×6 without
    /// confirmations), half of memberlist's, while the first suspicion and the k confirmations
    /// that shrink the timeout to that minimum arrive four times sooner; gossip every 100 ms so
    /// deaths and refutations spread in half the time. A node paused for 3 s at 40 members is
    /// still refuted in time (α = 7 is not). Detection is about half of memberlist's; an idle
    /// member sends four times its probe traffic (about 1.6 kB/s).
    ///
    /// Dissemination: each statement is sent λ = 5 · ceil(log10(n + 1)) times (memberlist 4)
    /// to 4 members per round (memberlist 3). Our statements carry a certificate, so about a
    /// third as many fit a datagram. With memberlist's values (and joiners introducing
    /// themselves in their probes) gossip still missed some member in 3 of 100 simulated
    /// 50-node join storms, which then waited a probe round (12 s), and storms took 3.8 s
    /// typically: each statement reaches a given member with probability about 1 − e^(−limit).
    /// With these, none missed in a hundred and they take about 2.9 s (`shoal-sim-bench
    /// --join-storm 50 100`). A member sends 25 % more per change; an idle one sends the same.
    public static let lan = MembershipConfig(
        probeInterval: .milliseconds(250), probeTimeout: .milliseconds(125), indirectProbes: 3,
        suspicionMultiplier: 8, suspicionMaxTimeoutMultiplier: 6, retransmitMultiplier: 5,
        pushPullInterval: .seconds(30), gossipInterval: .milliseconds(100), gossipFanout: 4,
        deadReapTime: .seconds(24 * 3600), reprobeDeadInterval: .seconds(30),
        awarenessMaxMultiplier: 8, maxPayloadBytes: 1250, leavePropagationTime: .seconds(3),
        streamFallbackPing: true)

    /// Across data centres (memberlist `DefaultWANConfig`).
    public static let wan = MembershipConfig(
        probeInterval: .seconds(5), probeTimeout: .seconds(3), indirectProbes: 3,
        suspicionMultiplier: 6, suspicionMaxTimeoutMultiplier: 6, retransmitMultiplier: 4,
        pushPullInterval: .seconds(60), gossipInterval: .milliseconds(500), gossipFanout: 4,
        deadReapTime: .seconds(24 * 3600), reprobeDeadInterval: .seconds(60),
        awarenessMaxMultiplier: 8, maxPayloadBytes: 1250, leavePropagationTime: .seconds(5),
        streamFallbackPing: true, gossipToTheDeadTime: .seconds(60))

    /// One host or loopback (memberlist `DefaultLocalConfig`).
    public static let local = MembershipConfig(
        probeInterval: .seconds(1), probeTimeout: .milliseconds(200), indirectProbes: 1,
        suspicionMultiplier: 3, suspicionMaxTimeoutMultiplier: 6, retransmitMultiplier: 2,
        pushPullInterval: .seconds(15), gossipInterval: .milliseconds(100), gossipFanout: 3,
        deadReapTime: .seconds(3600), reprobeDeadInterval: .seconds(15),
        awarenessMaxMultiplier: 8, maxPayloadBytes: 1250, leavePropagationTime: .seconds(1),
        streamFallbackPing: true, gossipToTheDeadTime: .seconds(15))

    /// Minimum and maximum suspicion timeout for a cluster of `memberCount` (Lifeguard IV.B,
    /// memberlist `suspicionTimeout`).
    public func suspicionTimeouts(memberCount: Int) -> (minimum: Duration, maximum: Duration) {
        let scale = max(1.0, PureMath.log10(Double(max(memberCount, 1))))
        let minimum = probeInterval * (Double(suspicionMultiplier) * scale)
        return (minimum, minimum * suspicionMaxTimeoutMultiplier)
    }

    /// λ · ceil(log10(n + 1)): how many times each statement is piggybacked (SWIM §4.1).
    public func retransmitLimit(memberCount: Int) -> Int {
        let scale = PureMath.ceiling(PureMath.log10(Double(max(memberCount, 0) + 1)))
        return max(1, retransmitMultiplier * max(1, scale))
    }

    /// memberlist `pushPullScale`: above 32 members the period grows with log2(n / 32), so the
    /// cluster-wide push-pull load stays bounded.
    public func scaledPushPullInterval(memberCount: Int) -> Duration {
        guard memberCount > 32 else { return pushPullInterval }
        let multiplier = PureMath.ceiling(PureMath.log(Double(memberCount) / 32) / PureMath.log(2)) + 1
        return pushPullInterval * multiplier
    }
}
