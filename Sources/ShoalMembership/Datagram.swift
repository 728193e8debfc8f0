/// What one UDP datagram carries: several messages within the payload budget.
public struct Datagram: Hashable, Sendable {
    /// The packed messages, in order.
    public var messages: [MembershipMessage]

    /// A datagram of `messages`.
    public init(messages: [MembershipMessage]) {
        self.messages = messages
    }

    /// Sum of the messages' estimates plus framing.
    public var estimatedSize: Int {
        messages.reduce(8) { $0 + $1.estimatedSize }
    }
}
