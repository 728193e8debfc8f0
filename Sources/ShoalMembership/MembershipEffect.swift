/// Something the shell must do after a call into `Membership` (the raft `Ready`, the
/// swift-cluster-membership directive).
public enum MembershipEffect: Sendable {
    /// Send one UDP datagram.
    case send(Datagram, to: MemberAddress)
    /// Open a stream and send a push-pull request; hand the peer's reply to
    /// `receivePushPullReply(_:from:now:)`. (A request this node receives is answered through
    /// `answerPushPull`, whose reply the shell writes on the stream that asked.)
    case pushPull(PushPullState, to: MemberAddress)
    /// TCP fallback ping; report the outcome with `streamPingResult(target:seq:succeeded:now:)`.
    case streamPing(target: NodeID, seq: UInt64, to: MemberAddress)
    /// Durably store this incarnation before the next restart (start at stored + 1).
    case persistIncarnation(UInt64)
    /// Tell the rest of the agent what changed.
    case event(MembershipEvent)
}
