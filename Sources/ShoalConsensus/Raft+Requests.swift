/// What the application asks of the group: proposals, voter changes, leadership transfer and
/// compaction.
extension Raft {
    /// Appends `data` as a normal entry and returns its index; it is committed when it comes
    /// back in `Ready.committedEntries` with this term and index (thesis §6.3: a proposal whose
    /// index is later filled by another term's entry was lost, and may be retried).
    ///
    /// Proposals made between two `takeReady()` calls go out together, several entries per
    /// append (batching).
    @discardableResult
    public mutating func propose(_ data: [UInt8]) throws(ConsensusError) -> LogIndex {
        try checkAcceptsProposals()
        appendAsLeader([Entry(term: term, index: 0, kind: .normal, data: data)])
        appendsOwed = true
        return log.lastIndex
    }

    /// Proposes one single-server change (thesis §4.1). It takes effect on each node when
    /// appended there; only one may be uncommitted at a time, and only once the leader has
    /// committed an entry of its own term (Ongaro, raft-dev 2015, the fix to §4.1). A leader
    /// that removes or demotes itself keeps leading until the change commits, then hands over.
    @discardableResult
    public mutating func proposeConfigurationChange(_ change: ConfigurationChange) throws(ConsensusError) -> LogIndex {
        try checkAcceptsProposals()
        guard committedInTerm else { throw .leaderNotReady }
        guard configurationIndex <= log.committed else { throw .configurationChangeInProgress }
        let next = try configuration.applying(change)
        appendAsLeader([Entry(term: term, index: 0, kind: .configuration, data: next.encoded)])
        appendsOwed = true
        return log.lastIndex
    }

    /// Hands leadership to `target` (thesis §3.10): proposals stop, the target is brought up
    /// to date, then told `timeoutNow`; abandoned after an election timeout.
    public mutating func transferLeadership(to target: ReplicaID) throws(ConsensusError) {
        guard role == .leader else { throw .notLeader(leader: leader) }
        guard target != id else { return }
        guard configuration.isVoter(target) else { throw .notAVoter(target) }
        guard transferee == nil else { throw .transferInProgress }
        beginTransfer(to: target)
    }

    mutating func beginTransfer(to target: ReplicaID) {
        transferee = target
        transferElapsed = 0
        if progress[target]?.match == log.lastIndex {
            sendTimeoutNow(to: target)
        } else {
            sendAppend(to: target)
        }
    }

    mutating func sendTimeoutNow(to target: ReplicaID) {
        send(.timeoutNow, to: target)
        sentTimeoutNow = true
        if handingOver { becomeFollower(term: term, leader: nil) }
    }

    /// Records that the application saved its state through `index` (at most the applied
    /// index) as `data`, and drops the log before it (Raft §7). Returns the snapshot the shell
    /// stores; it may then delete stored entries through its index. Followers too far behind
    /// are sent it.
    @discardableResult
    public mutating func compact(through index: LogIndex, data: [UInt8]) throws(ConsensusError) -> Snapshot {
        guard index <= log.applied, index > log.snapshot.metadata.index, let term = log.term(at: index) else {
            throw .snapshotOutOfRange(index)
        }
        let snapshot = Snapshot(
            metadata: SnapshotMetadata(index: index, term: term, configuration: log.configuration(atOrBefore: index).configuration),
            data: data)
        log.compact(to: snapshot)
        return snapshot
    }

    private func checkAcceptsProposals() throws(ConsensusError) {
        guard role == .leader else { throw .notLeader(leader: leader) }
        guard transferee == nil, !handingOver else { throw .transferInProgress }
    }
}
