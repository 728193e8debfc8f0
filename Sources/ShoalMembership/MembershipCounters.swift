/// Counters a shell exports as metrics.
public struct MembershipCounters: Sendable, Hashable {
    /// Statements dropped because the signature did not verify for the required signer
    /// (alive not by its subject, suspect/dead not by the named accuser, or a bad signature).
    public var rejectedStatements = 0
    /// Statements that changed this node's view.
    public var appliedStatements = 0
    /// Times this node raised its incarnation to refute an accusation.
    public var refutations = 0
    /// Probes that ended with a suspicion.
    public var failedProbes = 0
    /// Sends the shell reported as failed locally.
    public var localSendFailures = 0
    /// Deadlines (a probe's, a suspicion's expiry) met so late that this node had not been
    /// running, and put off once so what queued meanwhile is read first.
    public var lateTicks = 0
}
