/// Log replication (Raft §5.3, §5.4.2, §7; etcd raft `sendAppend`, `handleAppendEntries`).
extension Raft {
    /// Appends entries of the current term to the leader's own log; the leader counts itself
    /// as matching them at once, which is sound because the shell persists them (Ready step 1)
    /// before any message that could commit them is sent.
    mutating func appendAsLeader(_ new: [Entry]) {
        var index = log.lastIndex
        let stamped = new.map { entry -> Entry in
            index += 1
            return Entry(term: term, index: index, kind: entry.kind, data: entry.data)
        }
        log.append(stamped)
        if stamped.contains(where: { $0.kind == .configuration }) { refreshConfiguration() }
        _ = advanceCommit()
    }

    mutating func broadcastAppend() {
        for member in configuration.members where member != id {
            sendAppend(to: member)
        }
    }

    mutating func broadcastHeartbeat() {
        for member in configuration.members where member != id {
            guard let match = progress[member]?.match else { continue }
            // A follower may only commit what it is known to hold (etcd raft `sendHeartbeat`).
            send(.heartbeat(commit: min(match, log.committed), leaderTick: now, readRound: readRound), to: member)
        }
    }

    /// Sends `to` what it lacks: entries while it can take more (pipelining up to
    /// `maxInflightAppends`), a snapshot when they were compacted away. Returns true if sent.
    @discardableResult
    mutating func sendAppend(to member: ReplicaID, evenIfEmpty: Bool = true) -> Bool {
        guard var state = progress[member], !state.isPaused(maxInflight: config.maxInflightAppends) else { return false }
        let prevIndex = state.next - 1
        guard let prevTerm = log.term(at: prevIndex) else {
            state.state = .snapshot(index: log.snapshot.metadata.index)
            state.snapshotSentAt = now
            progress[member] = state
            send(.snapshot(log.snapshot), to: member)
            return true
        }
        let entries = log.entries(from: state.next, maxCount: config.maxEntriesPerAppend, maxBytes: config.maxAppendBytes)
        if entries.isEmpty && !evenIfEmpty { return false }
        send(.append(Append(prevIndex: prevIndex, prevTerm: prevTerm, entries: entries, commit: log.committed)), to: member)
        switch state.state {
        case .replicate:
            if let last = entries.last?.index {
                state.next = last + 1
                state.inflight.append(last)
            }
        case .probe:
            state.probeSent = true
        case .snapshot:
            break
        }
        progress[member] = state
        return true
    }

    /// Raft §5.4.2: commit the highest index a quorum of the current voters holds, but only if
    /// the entry there is of the current term (earlier ones commit with it, Figure 8).
    mutating func advanceCommit() -> Bool {
        guard role == .leader, !configuration.voters.isEmpty else { return false }
        let matches = configuration.voters.map { $0 == id ? log.lastIndex : progress[$0]?.match ?? 0 }.sorted(by: >)
        let index = matches[configuration.quorum - 1]
        guard index > log.committed, log.term(at: index) == term else { return false }
        log.commit(to: index)
        committed()
        return true
    }

    /// What follows a leader's commit index moving.
    private mutating func committed() {
        if !committedInTerm {
            committedInTerm = true
            let waiting = readsAwaitingCommit
            readsAwaitingCommit = []
            for request in waiting { requestRead(request) }
        }
        // Thesis §4.2.2: a leader that is no longer a voter steps down once the configuration
        // that removed it is committed, handing over to an up-to-date voter (§3.10).
        if !configuration.isVoter(id), log.committed >= configurationIndex, !handingOver {
            handOver()
        }
    }

    private mutating func handOver() {
        handingOver = true
        let best = configuration.voters.filter { $0 != id }.max { (progress[$0]?.match ?? 0) < (progress[$1]?.match ?? 0) }
        guard let target = best else {
            becomeFollower(term: term, leader: nil)
            return
        }
        beginTransfer(to: target)
    }

    mutating func receiveAppendResponse(_ response: AppendResponse, from member: ReplicaID) {
        guard var state = progress[member] else { return }
        switch response {
        case .rejected(let index, let hintIndex, let hintTerm):
            let hint = hintTerm > 0 ? log.lastIndex(atOrBefore: hintIndex, withTermAtMost: hintTerm).index : hintIndex
            guard state.rejected(at: index, hint: hint) else { return }
            if state.state == .replicate { state.becomeProbe() }
            progress[member] = state
            sendAppend(to: member)
        case .accepted(let match):
            let wasPaused = state.isPaused(maxInflight: config.maxInflightAppends)
            guard state.acknowledge(through: match) else {
                progress[member] = state
                return
            }
            switch state.state {
            case .probe: state.becomeReplicate()
            case .snapshot where state.match + 1 >= log.firstIndex:
                state.becomeProbe()
                state.becomeReplicate()
            default: break
            }
            progress[member] = state
            if advanceCommit() {
                broadcastAppend()
            } else if wasPaused || state.next <= log.lastIndex {
                while sendAppend(to: member, evenIfEmpty: false) {}
            }
            if member == transferee, progress[member]?.match == log.lastIndex { sendTimeoutNow(to: member) }
        }
    }

    mutating func receiveHeartbeatResponse(from member: ReplicaID, leaderTick: UInt64, readRound: UInt64) {
        guard var state = progress[member] else { return }
        state.probeSent = false
        state.ackedLeaderTick = max(state.ackedLeaderTick ?? 0, leaderTick)
        state.ackedReadRound = max(state.ackedReadRound, readRound)
        // A lost append would otherwise hold its in-flight slot forever (etcd raft).
        if state.state == .replicate, state.inflight.count >= config.maxInflightAppends { state.inflight.removeFirst() }
        progress[member] = state
        if state.match < log.lastIndex { sendAppend(to: member) }
        releaseReads()
    }

    /// Raft §5.3 receiver rules, with etcd raft's conflict hint on rejection.
    mutating func receiveAppend(_ append: Append, from leader: ReplicaID) {
        if append.prevIndex < log.committed {
            // Everything through the commit index matches already; say how far.
            send(.appendResponse(.accepted(match: log.committed)), to: leader)
            return
        }
        if let (last, touched) = log.append(after: append.prevIndex, prevTerm: append.prevTerm, entries: append.entries) {
            if touched { refreshConfiguration() }
            log.commit(to: min(append.commit, last))
            send(.appendResponse(.accepted(match: last)), to: leader)
        } else {
            let hint = log.lastIndex(atOrBefore: append.prevIndex, withTermAtMost: append.prevTerm)
            send(.appendResponse(.rejected(index: append.prevIndex, hintIndex: hint.index, hintTerm: hint.term)), to: leader)
        }
    }

    /// Raft §7 receiver: keep the log when it already holds the snapshot's last entry, else
    /// replace it; answered as an append accepted through the snapshot's index.
    mutating func receiveSnapshot(_ snapshot: Snapshot, from leader: ReplicaID) {
        let metadata = snapshot.metadata
        if metadata.index <= log.committed {
            send(.appendResponse(.accepted(match: log.committed)), to: leader)
            return
        }
        if log.term(at: metadata.index) == metadata.term {
            log.commit(to: metadata.index)
        } else {
            log.restore(snapshot)
            snapshotToInstall = snapshot
            refreshConfiguration()
        }
        send(.appendResponse(.accepted(match: metadata.index)), to: leader)
    }
}
