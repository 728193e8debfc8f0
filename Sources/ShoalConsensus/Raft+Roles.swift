/// Role transitions (Raft §5.2; thesis §9.6; etcd raft `becomeFollower` and friends).
extension Raft {
    mutating func becomeFollower(term newTerm: Term, leader newLeader: ReplicaID?) {
        let wasRole = role
        if newTerm != term {
            term = newTerm
            vote = nil
        }
        leaveLeadership()
        role = .follower
        resetTimers()
        votes = [:]
        if wasRole != .follower { events.append(.roleChanged(.follower, term: term)) }
        setLeader(newLeader)
    }

    mutating func becomePreCandidate() {
        // Neither the term nor the vote changes: a pre-vote disturbs no one (thesis §9.6).
        leaveLeadership()
        role = .preCandidate
        resetTimers()
        votes = [:]
        events.append(.roleChanged(.preCandidate, term: term))
        setLeader(nil)
    }

    mutating func becomeCandidate() {
        leaveLeadership()
        term += 1
        vote = id
        role = .candidate
        resetTimers()
        votes = [:]
        events.append(.roleChanged(.candidate, term: term))
        setLeader(nil)
    }

    mutating func becomeLeader() {
        role = .leader
        resetTimers()
        votes = [:]
        transferee = nil
        handingOver = false
        sentTimeoutNow = false
        committedInTerm = false
        ticksSinceLeaderContact = 0
        progress = [:]
        for member in configuration.members where member != id {
            progress[member] = Progress(next: log.lastIndex + 1)
        }
        events.append(.roleChanged(.leader, term: term))
        setLeader(id)
        // Raft §8: a no-op of the new term, so that entries of earlier terms commit with it.
        appendAsLeader([Entry(term: term, index: 0, kind: .noOp)])
        broadcastAppend()
    }

    /// Drops what only a leader holds. Pending reads are dropped too: their requesters retry
    /// at the new leader (etcd raft does the same).
    mutating func leaveLeadership() {
        progress = [:]
        transferee = nil
        handingOver = false
        pendingReads = []
        readsAwaitingCommit = []
        appendsOwed = false
    }

    mutating func setLeader(_ newLeader: ReplicaID?) {
        if newLeader != leader {
            leader = newLeader
            events.append(.leaderChanged(newLeader, term: term))
        }
    }

    /// Adopts the latest configuration in the log after it changed (thesis §4.1: in force
    /// when appended, so also undone when a conflicting suffix is overwritten).
    mutating func refreshConfiguration() {
        let (latest, index) = log.configuration(atOrBefore: log.lastIndex)
        configurationIndex = index
        guard latest != configuration else { return }
        configuration = latest
        events.append(.configurationChanged(latest))
        guard role == .leader else { return }
        for member in latest.members where member != id && progress[member] == nil {
            progress[member] = Progress(next: log.lastIndex + 1)
        }
        for member in progress.keys.sorted() where !latest.contains(member) {
            progress[member] = nil
        }
        if let target = transferee, !latest.isVoter(target) { transferee = nil }
    }
}
