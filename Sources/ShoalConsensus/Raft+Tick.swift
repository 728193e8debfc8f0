/// The passage of time (etcd raft `tickElection`, `tickHeartbeat`).
extension Raft {
    /// One tick of the shell's clock (every `tickInterval`): election timeouts for followers
    /// and candidates (Raft §5.2), heartbeats, check-quorum (thesis §6.2), transfer timeouts
    /// (thesis §3.10) and lost snapshots for a leader.
    public mutating func tick() {
        now += 1
        if role == .leader {
            tickLeader()
        } else {
            tickFollower()
        }
    }

    private mutating func tickFollower() {
        electionElapsed += 1
        if ticksSinceLeaderContact < Int.max { ticksSinceLeaderContact += 1 }
        if isPromotable && electionElapsed >= randomizedElectionTimeout {
            electionElapsed = 0
            startElection(transfer: false)
        }
    }

    private mutating func tickLeader() {
        ticksSinceLeaderContact = 0
        heartbeatElapsed += 1
        electionElapsed += 1
        if transferee != nil {
            transferElapsed += 1
            if transferElapsed >= config.electionTicks {
                transferee = nil
                if handingOver {
                    becomeFollower(term: term, leader: nil)
                    return
                }
            }
        }
        if electionElapsed >= config.electionTicks {
            electionElapsed = 0
            if config.checkQuorum {
                let active = configuration.voters.filter { $0 == id || progress[$0]?.recentActive == true }.count
                if active < configuration.quorum {
                    becomeFollower(term: term, leader: nil)
                    return
                }
                for member in progress.keys { progress[member]?.recentActive = false }
            }
        }
        for member in configuration.members where member != id {
            if case .snapshot = progress[member]?.state, let sent = progress[member]?.snapshotSentAt,
                now - sent >= UInt64(config.electionTicks)
            {
                // The snapshot or its answer was lost: find the follower's log end again.
                progress[member]?.becomeProbe()
            }
        }
        if heartbeatElapsed >= config.heartbeatTicks {
            heartbeatElapsed = 0
            broadcastHeartbeat()
        }
    }
}
