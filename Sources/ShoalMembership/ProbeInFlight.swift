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
    var localFailure = false
}

/// A ping sent on another member's behalf (ping-req), owed an ack or a nack.
struct ForwardedProbe: Sendable {
    var localSeq: UInt64
    var originSeq: UInt64
    var requester: MemberAddress
    /// Who asked: the ack or nack owed is sealed for it.
    var requesterID: NodeID
    var target: NodeID
    var nackAt: Duration
}
