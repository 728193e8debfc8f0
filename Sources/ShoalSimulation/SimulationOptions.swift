public import ShoalConsensus
public import ShoalMembership

/// Everything that determines a run; equal options give equal runs.
public struct SimulationOptions: Sendable {
    /// Number of nodes.
    public var nodeCount: Int
    /// The one seed every random choice derives from.
    public var seed: UInt64
    /// Protocol configuration of every node.
    public var membership: MembershipConfig
    /// Link behaviour.
    public var network: NetworkConditions
    /// Check that no member's status ever moves backwards (costs memory O(n²); off for huge runs).
    public var checkMonotonicStatus: Bool
    /// Keep a human-readable line per event (for replay tests and failure reports).
    public var recordLog: Bool
    /// Datagrams held for a paused node; later ones are dropped like a full socket buffer.
    public var pausedInboxLimit: Int
    /// Bytes of the stand-in certificate every alive statement carries. The agent's
    /// certificate is about 150 bytes and Ed25519 signatures are 24 bytes longer than the
    /// stand-in's, so 176 makes statements as large as the agent's and as few fit a datagram.
    public var certificateBytes: Int
    /// Whether nodes run the agent's certificate gate in front of their core (`CertificateGate`):
    /// off for runs too large for one admission table per node (10,000 nodes), or where its cost
    /// is not the point (the 1,000-node join in a debug build).
    public var certificateGate: Bool
    /// Consensus on every node beside membership, on the same clock and network; nil: off.
    public var consensus: ConsensusOptions?

    /// Plain memberwise initialiser.
    public init(
        nodeCount: Int,
        seed: UInt64,
        membership: MembershipConfig = .lan,
        network: NetworkConditions = NetworkConditions(),
        checkMonotonicStatus: Bool = true,
        recordLog: Bool = false,
        pausedInboxLimit: Int = 256,
        certificateBytes: Int = 176,
        certificateGate: Bool = true,
        consensus: ConsensusOptions? = nil
    ) {
        self.nodeCount = nodeCount
        self.seed = seed
        self.membership = membership
        self.network = network
        self.checkMonotonicStatus = checkMonotonicStatus
        self.recordLog = recordLog
        self.pausedInboxLimit = pausedInboxLimit
        self.certificateBytes = certificateBytes
        self.certificateGate = certificateGate
        self.consensus = consensus
    }
}

/// How simulated nodes run Raft beside membership, as the agent's `ConsensusService` does.
public struct ConsensusOptions: Sendable {
    /// The nodes that found the group (as `Bootstrap` would have chosen them); the others start
    /// outside it and are added by the leader's `VoterPolicy`.
    public var founders: [Int]
    /// The shell's tick (the agent's 25 ms) and the core's timeouts in ticks.
    public var tick: Duration = .milliseconds(25)
    public var raft: RaftConfig
    public var policy = VoterPolicy()
    /// A proposal at the leader this often; nil: none.
    public var proposalInterval: Duration? = .milliseconds(100)
    /// Chance that a Raft message is delivered twice.
    public var duplicateProbability = 0.0

    public init(founders: [Int], raft: RaftConfig) {
        self.founders = founders
        self.raft = raft
    }
}
