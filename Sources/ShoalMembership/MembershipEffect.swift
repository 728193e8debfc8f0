/// Something the shell must do after a call into `Membership` (the raft `Ready`, the
/// swift-cluster-membership directive).
public enum MembershipEffect: Sendable {
    /// Send one UDP datagram to `address`, sealed for `receiver` alone (ShoalWire `Envelope`,
    /// receiver binding), so that a copy replayed to anyone else fails its signature.
    ///
    /// The core always knows the receiver: it sends only to members it holds (probes, probe
    /// requests, gossip, leave notices, the suspect told of its suspicion) and replies to the
    /// node a request names as its sender (`ping`'s and `pingReq`'s `from`, which the shell
    /// checks equals the envelope's signer). Seeds, whose identity is not known in advance,
    /// are reached by push-pull streams only, never by datagram.
    case send(Datagram, to: MemberAddress, receiver: NodeID)
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
