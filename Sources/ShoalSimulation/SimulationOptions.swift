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

    /// Plain memberwise initialiser.
    public init(
        nodeCount: Int,
        seed: UInt64,
        membership: MembershipConfig = .lan,
        network: NetworkConditions = NetworkConditions(),
        checkMonotonicStatus: Bool = true,
        recordLog: Bool = false,
        pausedInboxLimit: Int = 256,
        certificateBytes: Int = 176
    ) {
        self.nodeCount = nodeCount
        self.seed = seed
        self.membership = membership
        self.network = network
        self.checkMonotonicStatus = checkMonotonicStatus
        self.recordLog = recordLog
        self.pausedInboxLimit = pausedInboxLimit
        self.certificateBytes = certificateBytes
    }
}
