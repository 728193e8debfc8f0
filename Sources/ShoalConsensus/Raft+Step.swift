/// Receiving a message: the term rules every message obeys (Raft §5.1, thesis §4.2.3 and
/// §9.6, etcd raft `Step`), then the role's own handling.
extension Raft {
    /// Delivers one message addressed to this replica. Duplicates, reordering and stale
    /// messages are expected and harmless; a message for another replica is dropped.
    public mutating func step(_ message: Message) {
        guard message.to == id, message.from != id else { return }
        if message.term > term {
            guard stepHigherTerm(message) else { return }
        } else if message.term < term {
            stepLowerTerm(message)
            return
        }
        switch message.kind {
        case .preVote(let lastIndex, let lastTerm):
            answerVote(message, lastIndex: lastIndex, lastTerm: lastTerm, pre: true)
        case .vote(let lastIndex, let lastTerm, _):
            answerVote(message, lastIndex: lastIndex, lastTerm: lastTerm, pre: false)
        default:
            switch role {
            case .leader: stepLeader(message)
            case .preCandidate, .candidate: stepCandidate(message)
            case .follower: stepFollower(message)
            }
        }
    }

    /// True if the message should go on to be handled at the (possibly new) term.
    private mutating func stepHigherTerm(_ message: Message) -> Bool {
        switch message.kind {
        case .preVote, .vote(_, _, transfer: false):
            // Thesis §4.2.3: while this node believes a leader is alive, a vote request cannot
            // make it step down; this is also the promise the leader lease relies on.
            if inLease { return false }
        default: break
        }
        switch message.kind {
        case .preVote:
            // A pre-vote names the term the sender would campaign in; it changes nothing here.
            return true
        case .preVoteResponse(granted: true):
            // A granted pre-vote carries the future term; only a rejection carries a real one.
            return true
        case .append, .heartbeat, .snapshot:
            becomeFollower(term: message.term, leader: message.from)
            return true
        default:
            becomeFollower(term: message.term, leader: nil)
            return true
        }
    }

    private mutating func stepLowerTerm(_ message: Message) {
        switch message.kind {
        case .append, .heartbeat:
            // A deposed leader cut off by a partition learns the new term from this answer and
            // steps down (etcd raft: needed once check-quorum or pre-vote keep terms from
            // spreading through vote requests).
            if config.checkQuorum || config.preVote {
                send(.heartbeatResponse(leaderTick: 0, readRound: 0), to: message.from)
            }
        case .preVote:
            // Tells a lagging pre-candidate the current term, so it stops trying.
            send(.preVoteResponse(granted: false), to: message.from)
        default:
            break
        }
    }

    /// Check-quorum's lease: a leader of this term was heard within an election timeout.
    var inLease: Bool {
        config.checkQuorum && ticksSinceLeaderContact < config.electionTicks
    }

    /// Raft §5.2, §5.4.1 (and thesis §9.6 for pre-votes): grant if this node has not voted for
    /// someone else in the term and the candidate's log is at least as up to date.
    private mutating func answerVote(_ message: Message, lastIndex: LogIndex, lastTerm: Term, pre: Bool) {
        let canVote = vote == message.from || (vote == nil && leader == nil) || (pre && message.term > term)
        if canVote && log.isUpToDate(lastIndex: lastIndex, lastTerm: lastTerm) {
            if pre {
                send(.preVoteResponse(granted: true), to: message.from, term: message.term)
            } else {
                vote = message.from
                electionElapsed = 0
                send(.voteResponse(granted: true), to: message.from)
            }
        } else {
            send(pre ? .preVoteResponse(granted: false) : .voteResponse(granted: false), to: message.from)
        }
    }

    private mutating func stepFollower(_ message: Message) {
        switch message.kind {
        case .append(let append):
            heardFromLeader(message.from)
            receiveAppend(append, from: message.from)
        case .heartbeat(let commit, let leaderTick, let readRound):
            heardFromLeader(message.from)
            log.commit(to: commit)
            send(.heartbeatResponse(leaderTick: leaderTick, readRound: readRound), to: message.from)
        case .snapshot(let snapshot):
            heardFromLeader(message.from)
            receiveSnapshot(snapshot, from: message.from)
        case .timeoutNow:
            // Thesis §3.10: the leader brought this node up to date and asks it to take over.
            if isPromotable { startElection(transfer: true) }
        case .readIndexResponse(let index, let context):
            readStates.append(ReadState(index: index, context: context))
        default:
            break
        }
    }

    private mutating func stepCandidate(_ message: Message) {
        switch message.kind {
        case .append, .heartbeat, .snapshot:
            // Raft §5.2: a leader of this term exists; follow it.
            becomeFollower(term: message.term, leader: message.from)
            stepFollower(message)
        case .preVoteResponse(let granted) where role == .preCandidate:
            tally(granted, from: message.from)
        case .voteResponse(let granted) where role == .candidate:
            tally(granted, from: message.from)
        case .timeoutNow:
            if isPromotable { startElection(transfer: true) }
        default:
            break
        }
    }

    private mutating func stepLeader(_ message: Message) {
        guard progress[message.from] != nil else { return }
        progress[message.from]?.recentActive = true
        progress[message.from]?.lastHeard = now
        switch message.kind {
        case .appendResponse(let response):
            receiveAppendResponse(response, from: message.from)
        case .heartbeatResponse(let leaderTick, let readRound):
            receiveHeartbeatResponse(from: message.from, leaderTick: leaderTick, readRound: readRound)
        case .readIndex(let context):
            requestRead(ReadRequest(context: context, requester: message.from))
        default:
            break
        }
    }

    private mutating func heardFromLeader(_ from: ReplicaID) {
        electionElapsed = 0
        ticksSinceLeaderContact = 0
        setLeader(from)
    }
}
