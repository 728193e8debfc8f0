/// A member's status as this node believes it (SWIM §4.2, memberlist `nodeStateType`).
///
/// Within one incarnation the order alive < suspect < dead < left decides which claim wins.
public enum MemberStatus: String, Sendable {
    case alive, suspect, dead, left

    /// Precedence within one incarnation.
    var rank: UInt8 {
        switch self {
        case .alive: 0
        case .suspect: 1
        case .dead: 2
        case .left: 3
        }
    }
}
