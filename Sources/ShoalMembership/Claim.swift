/// What a statement claims about its subject (SWIM §4.2 alive / suspect / confirm).
public enum Claim: Hashable, Sendable {
    /// The subject is alive with this metadata; only the subject may sign it.
    case alive(MemberMetadata)
    /// `accuser` failed to reach the subject; signed by the accuser.
    case suspect(accuser: NodeID)
    /// The subject is dead (`left == false`) or has left (`left == true`); signed by the
    /// accuser. A left statement signed by the subject itself is a graceful leave; one signed
    /// by another member is a force-leave.
    case dead(accuser: NodeID, left: Bool)
}
