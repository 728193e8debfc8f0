/// Linearizable reads without log entries (thesis §6.4 read index, §6.4.1 lease; etcd raft
/// `ReadOnlySafe` and `ReadOnlyLeaseBased`).
extension Raft {
    /// Asks for a read point for `context`; it arrives as a `ReadState` in a later `Ready`
    /// (possibly the next one). A leader answers at once within its lease, else after a
    /// heartbeat round a quorum acknowledged; a follower forwards to its leader.
    ///
    /// A request can be dropped (lost messages, a leader change): the caller times out and
    /// retries, as with a proposal.
    public mutating func readIndex(context: [UInt8]) throws(ConsensusError) {
        if role == .leader {
            requestRead(ReadRequest(context: context, requester: nil))
            return
        }
        guard let leader else { throw .notLeader(leader: nil) }
        send(.readIndex(context: context), to: leader)
    }

    /// The end of the leader's lease: the quorum-th latest heartbeat stamp its voters
    /// acknowledged, plus `leaseTicks`. Followers ignore vote requests for `electionTicks`
    /// after they last heard the leader (`inLease`), so no other leader can exist before then.
    var leaseExpiry: UInt64? {
        guard role == .leader, config.leaseTicks > 0, transferee == nil, !sentTimeoutNow, !handingOver, configuration.isVoter(id)
        else {
            return nil
        }
        let stamps = configuration.voters.map { $0 == id ? now : progress[$0]?.ackedLeaderTick ?? 0 }.sorted(by: >)
        let stamp = stamps[configuration.quorum - 1]
        return stamp == 0 ? nil : stamp + UInt64(config.leaseTicks)
    }

    mutating func requestRead(_ request: ReadRequest) {
        guard committedInTerm else {
            // Thesis §6.4 step 1: until the leader has committed an entry of its term, its
            // commit index may lag behind what earlier leaders committed.
            readsAwaitingCommit.append(request)
            return
        }
        if holdsLease {
            answer(request, index: log.committed)
            return
        }
        readRound += 1
        pendingReads.append(PendingRead(round: readRound, index: log.committed, request: request))
        releaseReads()
        if !pendingReads.isEmpty { broadcastHeartbeat() }
    }

    /// Answers every read whose heartbeat round a quorum of voters acknowledged.
    mutating func releaseReads() {
        guard !pendingReads.isEmpty else { return }
        let rounds = configuration.voters.map { $0 == id ? readRound : progress[$0]?.ackedReadRound ?? 0 }.sorted(by: >)
        guard !rounds.isEmpty else { return }
        let confirmed = rounds[configuration.quorum - 1]
        while let first = pendingReads.first, first.round <= confirmed {
            pendingReads.removeFirst()
            answer(first.request, index: first.index)
        }
    }

    private mutating func answer(_ request: ReadRequest, index: LogIndex) {
        if let requester = request.requester {
            send(.readIndexResponse(index: index, context: request.context), to: requester)
        } else {
            readStates.append(ReadState(index: index, context: request.context))
        }
    }
}

/// What a leader reports of its followers (`shoal raft peers`).
public struct FollowerProgress: Sendable, Hashable {
    /// The highest index known to be in the follower's log.
    public var match: LogIndex
    /// The next index the leader sends it.
    public var next: LogIndex
    /// Heard from within the current check-quorum round.
    public var recentlyActive: Bool
    /// Ticks since a message from the follower last arrived; nil if none has since this node
    /// became leader.
    public var ticksSinceContact: UInt64?
}

extension Raft {
    /// Each follower's progress, while this replica leads; empty otherwise.
    public var followers: [ReplicaID: FollowerProgress] {
        guard role == .leader else { return [:] }
        var result: [ReplicaID: FollowerProgress] = [:]
        for (id, progress) in self.progress where id != self.id {
            result[id] = FollowerProgress(
                match: progress.match, next: progress.next, recentlyActive: progress.recentActive,
                ticksSinceContact: progress.lastHeard.map { now - $0 })
        }
        return result
    }
}
