/// A suspicion timer that shrinks with independent confirmations (Lifeguard IV.B,
/// memberlist `suspicion`).
///
/// Starts at `maximum`; after c of k wanted confirmations the total timeout is
/// max(minimum, maximum − (maximum − minimum) · log(c + 1) / log(k + 1)).
struct Suspicion: Sendable {
    let incarnation: UInt64
    let startedAt: Duration
    let wanted: Int
    let minimum: Duration
    let maximum: Duration
    /// The first accuser plus every confirmer; nobody counts twice.
    private(set) var accusers: [NodeID]
    /// Set when the expiry came late and was put off once (`Membership.lateGrace`): a
    /// refutation may be waiting, unread, behind the late tick.
    var putOffForLateness = false

    init(incarnation: UInt64, accuser: NodeID, startedAt: Duration, wanted: Int, minimum: Duration, maximum: Duration) {
        self.incarnation = incarnation
        self.startedAt = startedAt
        self.wanted = wanted
        self.minimum = minimum
        self.maximum = maximum
        accusers = [accuser]
    }

    var confirmations: Int { accusers.count - 1 }

    var deadline: Duration {
        guard wanted > 0 else { return startedAt + minimum }
        let fraction = PureMath.log(Double(confirmations) + 1) / PureMath.log(Double(wanted) + 1)
        let timeout = maximum - (maximum - minimum) * fraction
        return startedAt + max(timeout, minimum)
    }

    /// Whether `accuser` adds an independent confirmation.
    func accepts(_ accuser: NodeID) -> Bool {
        confirmations < wanted && !accusers.contains(accuser)
    }

    mutating func confirm(by accuser: NodeID) -> Bool {
        guard accepts(accuser) else { return false }
        accusers.append(accuser)
        return true
    }
}
