/// One row of the member list as this node currently believes it.
public struct Member: Hashable, Sendable {
    /// The member's identity.
    public var id: NodeID
    /// Metadata from the newest Alive statement this node accepted.
    public var metadata: MemberMetadata
    /// Current status.
    public var status: MemberStatus
    /// Incarnation of the claim behind `status`.
    public var incarnation: UInt64
    /// Virtual or monotonic time (the caller's clock) at which `status` last changed.
    public var statusChangedAt: Duration

    /// Plain memberwise initialiser.
    public init(id: NodeID, metadata: MemberMetadata, status: MemberStatus, incarnation: UInt64, statusChangedAt: Duration) {
        self.id = id
        self.metadata = metadata
        self.status = status
        self.incarnation = incarnation
        self.statusChangedAt = statusChangedAt
    }
}
