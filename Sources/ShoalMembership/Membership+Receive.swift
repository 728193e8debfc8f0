/// Inputs from the network: datagrams, push-pull states, stream ping outcomes, send errors.
extension Membership {
    /// Handles one datagram from `from`: answers pings, forwards ping-reqs, counts nacks and
    /// applies every piggybacked statement whose signature verifies.
    public mutating func receive(_ datagram: Datagram, from: MemberAddress, now: Duration) -> [MembershipEffect] {
        guard !hasLeft else { return [] }
        var effects: [MembershipEffect] = []
        for message in datagram.messages {
            switch message {
            case .ping(let seq, let target, let sender):
                // A ping for a previous owner of this address must not be answered by us.
                guard target == myself else { continue }
                if let slot = table.slot(of: sender) { markKnowsUs(slot) }
                var reply: [MembershipMessage] = [.ack(seq: seq, from: myself)]
                // A member we hold as failed is talking to us: it came back (a healed link, a
                // resumed process). Tell it now, so it refutes at once instead of waiting for
                // the next push-pull or re-probe of the dead.
                if let slot = table.slot(of: sender), let accusation = table[slot]?.accusation,
                    accusation.status == .dead || accusation.status == .suspect
                {
                    reply.append(.gossip(accusation))
                }
                send(reply, to: from, receiver: sender, effects: &effects)
            case .ack(let seq, let acker):
                if let sentAt = probeAcked(seq: seq, direct: acker == probe?.target && from == probe?.address) {
                    answered(sentAt: sentAt, now: now, effects: &effects)
                    continue
                }
                if let excused = excusedProbe, excused.seq == seq {
                    // The excused probe's target answered after all, late: nobody to accuse.
                    excusedProbe = nil
                    continue
                }
                if let index = forwards.firstIndex(where: { $0.localSeq == seq }) {
                    answered(sentAt: forwards[index].sentAt, now: now, effects: &effects)
                    let forward = forwards.remove(at: index)
                    send(
                        [.ack(seq: forward.originSeq, from: acker)], to: forward.requester, receiver: forward.requesterID,
                        effects: &effects)
                }
            case .pingReq(let seq, let target, let targetAddress, let requester):
                guard target != myself else {
                    send([.ack(seq: seq, from: myself)], to: from, receiver: requester, effects: &effects)
                    continue
                }
                let localSeq = takeSeq()
                forwards.append(
                    ForwardedProbe(
                        localSeq: localSeq, originSeq: seq, requester: from, requesterID: requester, target: target,
                        sentAt: now, nackAt: now + config.probeTimeout))
                send(
                    introduction(to: table.slot(of: target)) + [.ping(seq: localSeq, target: target, from: myself)],
                    to: targetAddress, receiver: target, effects: &effects)
            case .nack(let seq, _):
                // Nacks of a probe arrive about when it ends, so often for an excused one.
                if let current = probe, current.seq == seq {
                    probe?.nacks += 1
                    answered(sentAt: current.indirectAt, now: now, effects: &effects)
                } else if let excused = excusedProbe, excused.seq == seq, let sentAt = excused.indirectSentAt {
                    answered(sentAt: sentAt, now: now, effects: &effects)
                }
            case .gossip(let statement):
                ingest(statement, now: now, effects: &effects)
            case .join(let statement):
                ingest(statement, now: now, effects: &effects)
                // The joiner gets our full state the way every member does: by a push-pull we open.
                effects.append(.pushPull(pushPullState(isJoin: false), to: from))
            }
        }
        return effects
    }

    /// Whether `datagram` can change nothing here: it holds only gossip about other members,
    /// every statement of which `receive` would drop before its signature check (an incarnation
    /// this node already has; SWIM sends each statement about λ times, so most gossip a member
    /// hears is news it already had). The shell drops such a datagram without checking its
    /// envelope's signature, the costliest step of receiving one: its sender cannot matter,
    /// since it is neither answered nor counted, and its counter moves no replay window.
    /// Anything else (a ping, an ack, a probe request, a join, a statement about this node or
    /// one that would change this node's view) is not redundant.
    public func isRedundant(_ datagram: Datagram) -> Bool {
        datagram.messages.allSatisfy { message in
            guard case .gossip(let statement) = message, statement.subject != myself else { return false }
            return assess(statement) == nil
        }
    }

    /// Merges the reply to a push-pull this node asked for (memberlist `mergeRemoteState`).
    /// Tombstones of members this node never knew are not resurrected.
    public mutating func receivePushPullReply(_ state: PushPullState, from: MemberAddress, now: Duration) -> [MembershipEffect] {
        guard !hasLeft else { return [] }
        var effects: [MembershipEffect] = []
        if seeds.contains(from) { seedMembers[from] = state.sender.subject }
        merge(state, now: now, effects: &effects)
        return effects
    }

    /// Merges a peer's push-pull request and answers it with this node's state, to be written
    /// back on the stream the request came in on; nil once this node has left.
    public mutating func answerPushPull(_ state: PushPullState, from: MemberAddress, now: Duration) -> PushPullAnswer? {
        guard !hasLeft else { return nil }
        var effects: [MembershipEffect] = []
        if seeds.contains(from) { seedMembers[from] = state.sender.subject }
        merge(state, now: now, effects: &effects)
        return PushPullAnswer(reply: pushPullState(isJoin: false), effects: effects)
    }

    mutating func merge(_ state: PushPullState, now: Duration, effects: inout [MembershipEffect]) {
        ingest(state.sender, now: now, effects: &effects)
        for entry in state.entries {
            if entry.alive.subject != myself, table.slot(of: entry.alive.subject) == nil,
                let accusation = entry.accusation, accusation.status == .dead || accusation.status == .left
            {
                continue
            }
            ingest(entry.alive, now: now, effects: &effects)
            if let accusation = entry.accusation {
                ingest(accusation, now: now, effects: &effects)
            }
        }
    }

    /// Loads a snapshot this node wrote itself (e.g. on restart, like Serf's snapshot): no
    /// signatures are checked, nothing is gossiped and no events are reported.
    public mutating func restore(trustedSnapshot state: PushPullState, now: Duration) {
        quiet = true
        defer { quiet = false }
        var ignored: [MembershipEffect] = []
        table.reserveCapacity(table.count + state.entries.count + 1)
        probeOrder.reserveCapacity(table.count + state.entries.count + 1)
        restoreEntry(PushPullEntry(alive: state.sender, accusation: nil), now: now, effects: &ignored)
        for entry in state.entries {
            restoreEntry(entry, now: now, effects: &ignored)
        }
        // They knew this node before it restarted; probing them with an introduction for a
        // whole round (minutes in a large cluster) would only cost bytes.
        for slot in table.active { markKnowsUs(slot) }
        // Spread the first anti-entropy round over the period that fits the restored size,
        // instead of the small-cluster period every node started with.
        nextPushPullAt = now + Membership.fraction(of: config.scaledPushPullInterval(memberCount: liveMemberCount), using: &rng)
    }

    private mutating func restoreEntry(_ entry: PushPullEntry, now: Duration, effects: inout [MembershipEffect]) {
        guard entry.alive.subject != myself else { return }
        if let change = assess(entry.alive) { commit(change, entry.alive, now: now, effects: &effects) }
        if let accusation = entry.accusation, let change = assess(accusation) {
            commit(change, accusation, now: now, effects: &effects)
        }
    }

    /// This node's full state for anti-entropy.
    public func pushPullState(isJoin: Bool) -> PushPullState {
        var entries: [PushPullEntry] = []
        entries.reserveCapacity(table.count)
        for case let record? in table.records where record.alive.subject != myself {
            entries.append(PushPullEntry(alive: record.alive, accusation: record.accusation))
        }
        return PushPullState(sender: ownAlive, entries: entries, isJoin: isJoin)
    }

    /// Outcome of a TCP fallback ping: success counts as an ack for that probe.
    public mutating func streamPingResult(target: NodeID, seq: UInt64, succeeded: Bool, now: Duration) -> [MembershipEffect] {
        guard !hasLeft, succeeded, probe?.target == target else { return [] }
        guard let sentAt = probeAcked(seq: seq, direct: false) else { return [] }
        var effects: [MembershipEffect] = []
        answered(sentAt: sentAt, now: now, effects: &effects)
        return effects
    }

    /// The shell could not send to `to`. A local error (ENETUNREACH, no route, interface down,
    /// a firewall's EPERM) is first evidence against our own health, not the peer's (Lifeguard
    /// IV.A): the current probe waits for a round trip with some other member before it may
    /// accuse its target (see `ExcusedProbe`). While round trips keep completing, sends to some
    /// members fail and to others succeed: that is a partition of paths, not a sick node, so the
    /// health score is left alone; without one for two probe periods it rises as before.
    public mutating func sendFailed(to: MemberAddress, localError: Bool, now: Duration) -> [MembershipEffect] {
        guard !hasLeft, localError else { return [] }
        counters.localSendFailures += 1
        if probe != nil, probe?.localFailureAt == nil { probe?.localFailureAt = now }
        if let last = lastAnsweredSendAt, now - last <= health.scaled(config.probeInterval) * 2 { return [] }
        health.apply(1)
        return []
    }

    /// A request this node sent at `sentAt` was answered: its sends worked then. A probe excused
    /// for a local send failure at or before that time is now a failed probe of its target.
    mutating func answered(sentAt: Duration, now: Duration, effects: inout [MembershipEffect]) {
        lastAnsweredSendAt = max(lastAnsweredSendAt ?? sentAt, sentAt)
        guard let excused = excusedProbe, excused.failedAt <= sentAt else { return }
        excusedProbe = nil
        guard now <= excused.expiresAt else { return }
        suspect(slot: excused.slot, target: excused.target, address: excused.address, now: now, effects: &effects)
    }
}
