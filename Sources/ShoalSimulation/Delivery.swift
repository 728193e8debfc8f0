import ShoalMembership

/// Something arriving at a node.
enum Delivery {
    case datagram(Datagram, from: MemberAddress)
    case pushPull(PushPullState, from: MemberAddress, isReply: Bool)
}
