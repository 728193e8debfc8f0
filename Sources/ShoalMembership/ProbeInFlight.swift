/// The probe of the current protocol period (SWIM §3.1).
struct ProbeInFlight: Sendable {
    var slot: Int32
    var target: NodeID
    var address: MemberAddress
    var seq: UInt64
    var startedAt: Duration
    var indirectAt: Duration
    var endAt: Duration
    var indirectSent = false
    var expectedNacks = 0
    var nacks = 0
    /// When a send of this node first failed locally during this probe (any send, not only the
    /// ping: a node whose link is down fails them all).
    var localFailureAt: Duration?
    /// Whether a deadline of this probe already came late and was moved (`Membership.lateGrace`):
    /// once per probe, so a node that is always late still concludes its probes.
    var movedForLateness = false
}

/// A probe that failed while this node's own sends were failing: it says nothing yet about the
/// target. If a request this node sent after the failure is answered (an ack or a nack), its link
/// works and only the path to the target failed (sends across a firewall that refuses them, EPERM),
/// so the target is suspected after all; if none is before `expiresAt`, the probe is forgotten,
/// as Lifeguard wants for a node that is itself cut off.
struct ExcusedProbe: Sendable {
    var slot: Int32
    var target: NodeID
    var address: MemberAddress
    var seq: UInt64
    /// When its ping-reqs went out (their nacks answer them), if they did.
    var indirectSentAt: Duration?
    var failedAt: Duration
    var expiresAt: Duration
}

/// A ping sent on another member's behalf (ping-req), owed an ack or a nack.
struct ForwardedProbe: Sendable {
    var localSeq: UInt64
    var originSeq: UInt64
    var requester: MemberAddress
    /// Who asked: the ack or nack owed is sealed for it.
    var requesterID: NodeID
    var target: NodeID
    /// When the ping to the target went out.
    var sentAt: Duration
    var nackAt: Duration
}
