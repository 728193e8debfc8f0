import ShoalMembership

/// An entry in the simulator's agenda.
enum SimulationAction {
    case start(node: Int, seeds: [Int])
    case tick(node: Int, generation: UInt64)
    case deliver(node: Int, Delivery)
    case sendFailed(node: Int, life: UInt64, to: MemberAddress)
    case streamPingResult(node: Int, life: UInt64, target: NodeID, seq: UInt64, succeeded: Bool)
    /// The consensus shell's tick of node `node` in its life `life`.
    case raftTick(node: Int, life: UInt64)
    /// A proposal at whichever node leads (consensus runs only).
    case raftProposal
}
