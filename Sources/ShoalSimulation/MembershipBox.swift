import ShoalMembership

/// Reference cell around one node's `Membership`.
final class MembershipBox {
    var state: Membership

    init(_ state: Membership) {
        self.state = state
    }
}
