import ShoalConsensus
import ShoalMembership

/// One simulated machine: its identity survives crashes, its `Membership` does not.
struct SimulatedNode {
    let id: NodeID
    let metadata: MemberMetadata
    /// The running protocol state, boxed so the hot path mutates it in place instead of
    /// copying a large value out of the node array.
    var box: MembershipBox?
    var membership: Membership? { box?.state }
    /// The agent's certificate gate in front of the core, new in every life; nil when the run has none.
    var gate: CertificateGate<FakeCertificates>?
    var persistedIncarnation: UInt64 = 0
    var life: UInt64 = 0
    var crashed = false
    var paused = false
    var outboundDown = false
    var leaving = false
    var partitioned = false
    /// Last time the node was crashed, paused, partitioned, cut off or leaving.
    var impairedUntil: Duration = .zero
    var tickGeneration: UInt64 = 0
    var scheduledTick: Duration?
    var inbox: [Delivery] = []
    /// The Raft replica, when the run has consensus; lost in a crash, rebuilt from `raftStore`.
    var raft: RaftBox?
    /// What the replica persisted (its fsynced log): survives crashes.
    var raftStore = RaftStore()
    /// When this node, leading, last changed the voters.
    var lastVoterChange: Duration?
    var raftTicks = 0

    var isImpaired: Bool { crashed || paused || outboundDown || leaving || partitioned }
    var isRunning: Bool {
        guard !crashed, let box else { return false }
        return !box.state.hasLeft
    }
}
