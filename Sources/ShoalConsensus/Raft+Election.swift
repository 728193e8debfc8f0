/// Elections (Raft §5.2, thesis §9.6 pre-vote, §3.10 transfer).
extension Raft {
    /// Starts an election now, as an election timeout would (etcd raft `MsgHup`): through
    /// pre-vote when it is on. Does nothing on a leader or on a node that may not campaign.
    public mutating func campaign() {
        guard role != .leader, isPromotable else { return }
        startElection(transfer: false)
    }

    /// A pre-vote round first unless `transfer` (a leader's `timeoutNow` skips it).
    mutating func startElection(transfer: Bool) {
        guard isPromotable else { return }
        if config.preVote && !transfer {
            becomePreCandidate()
        } else {
            becomeCandidate()
        }
        requestVotes(transfer: transfer)
    }

    private mutating func requestVotes(transfer: Bool) {
        let pre = role == .preCandidate
        votes[id] = true
        if grantedVotes >= configuration.quorum {
            won()
            return
        }
        let electionTerm = pre ? term + 1 : term
        for voter in configuration.voters where voter != id {
            let kind: MessageKind =
                pre
                ? .preVote(lastIndex: log.lastIndex, lastTerm: log.lastTerm)
                : .vote(lastIndex: log.lastIndex, lastTerm: log.lastTerm, transfer: transfer)
            send(kind, to: voter, term: electionTerm)
        }
    }

    private var grantedVotes: Int { configuration.voters.filter { votes[$0] == true }.count }

    /// Counts one answer; only voters of the current configuration count (thesis §4.1).
    mutating func tally(_ granted: Bool, from voter: ReplicaID) {
        guard configuration.isVoter(voter), votes[voter] == nil else { return }
        votes[voter] = granted
        if grantedVotes >= configuration.quorum {
            won()
        } else if configuration.voters.filter({ votes[$0] == false }).count >= configuration.quorum {
            becomeFollower(term: term, leader: nil)
        }
    }

    private mutating func won() {
        if role == .preCandidate {
            becomeCandidate()
            requestVotes(transfer: false)
        } else {
            becomeLeader()
        }
    }
}
