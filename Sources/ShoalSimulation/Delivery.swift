import ShoalConsensus
import ShoalMembership

/// Something arriving at a node.
enum Delivery {
    case datagram(Datagram, from: MemberAddress)
    case pushPull(PushPullState, from: MemberAddress, isReply: Bool)
    /// A Raft message (the agent's `raft/1`), for nodes that run consensus.
    case raft(Message)
}
