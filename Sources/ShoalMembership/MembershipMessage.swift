/// One protocol message; several are packed into a `Datagram` (memberlist compound messages).
///
/// The shell maps these to protobuf; sequence numbers are scoped to the sender.
public enum MembershipMessage: Hashable, Sendable {
    /// Direct probe of `target` (SWIM §3.1); `from` lets the target answer a restarted address.
    case ping(seq: UInt64, target: NodeID, from: NodeID)
    /// Answer to a ping. An intermediary forwards the target's ack to the requester unchanged
    /// in `seq`, with `from` naming the target (indirect ack forwarding).
    case ack(seq: UInt64, from: NodeID)
    /// Ask the receiver to ping `target` at `targetAddress` for us (SWIM §3.1 ping-req).
    case pingReq(seq: UInt64, target: NodeID, targetAddress: MemberAddress, from: NodeID)
    /// The intermediary could not reach the target in time (Lifeguard IV.A nack).
    case nack(seq: UInt64, from: NodeID)
    /// A disseminated statement (piggybacked or sent directly to a suspect).
    case gossip(Statement)
    /// Join request carrying the joiner's alive statement; answered with a push-pull reply.
    case join(Statement)

    /// Conservative upper bound of the encoded size, tag and framing included.
    public var estimatedSize: Int {
        switch self {
        case .ping(_, let target, let from): 24 + target.bytes.count + from.bytes.count
        case .ack(_, let from), .nack(_, let from): 20 + from.bytes.count
        case .pingReq(_, let target, let address, let from):
            32 + target.bytes.count + from.bytes.count + address.host.utf8.count
        case .gossip(let statement), .join(let statement): 8 + statement.estimatedSize
        }
    }
}
