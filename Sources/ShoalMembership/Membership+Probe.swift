/// Failure detection: shuffled round-robin probing, ping, ping-req with nacks, TCP fallback
/// (SWIM §3.1, §4.3; Lifeguard IV.A; memberlist `probeNode`).
extension Membership {
    /// New members go to a random position of the rest of this pass (SWIM §4.3), in O(1).
    mutating func insertIntoProbeOrder(_ slot: Int32) {
        probeOrder.append(slot)
        let lower = min(probeIndex, probeOrder.count - 1)
        let position = Int.random(in: lower..<probeOrder.count, using: &rng)
        probeOrder.swapAt(position, probeOrder.count - 1)
    }

    /// Next live member in the shuffled order; reshuffles after a full pass.
    mutating func nextProbeTarget() -> Int32? {
        var budget = 2 * probeOrder.count + 2
        while budget > 0 {
            budget -= 1
            if probeIndex >= probeOrder.count {
                probeOrder = table.active
                probeOrder.shuffle(using: &rng)
                probeIndex = 0
                if probeOrder.isEmpty { return nil }
            }
            let slot = probeOrder[probeIndex]
            probeIndex += 1
            if let record = table[slot], record.activePosition >= 0 { return slot }
        }
        return nil
    }

    mutating func startProbe(now: Duration, effects: inout [MembershipEffect]) {
        let interval = health.scaled(config.probeInterval)
        nextProbeAt = now + interval
        pingRecentlyDead(now: now, effects: &effects)
        guard let slot = nextProbeTarget(), let record = table[slot], let address = record.alive.metadata?.address else { return }
        let seq = takeSeq()
        probe = ProbeInFlight(
            slot: slot, target: record.alive.subject, address: address, seq: seq, startedAt: now,
            indirectAt: now + health.scaled(config.probeTimeout), endAt: now + interval)
        send(
            introduction(to: slot) + [.ping(seq: seq, target: record.alive.subject, from: myself)], to: address,
            receiver: record.alive.subject, effects: &effects)
    }

    /// Pings one member declared dead within `config.gossipToTheDeadTime` (at random), carrying
    /// the accusation. If the member is back (a healed partition), it refutes the accusation at
    /// once, and its ack carries back both the refutation and, if it holds this node dead in turn,
    /// that accusation (see `receive`), which this node refutes: both sides merge within a probe
    /// period or two of the heal, where a re-probe of the dead takes up to `reprobeDeadInterval`.
    mutating func pingRecentlyDead(now: Duration, effects: inout [MembershipEffect]) {
        guard !recentlyDead.isEmpty else { return }
        let (table, window) = (table, config.gossipToTheDeadTime)
        recentlyDead.removeAll { entry in
            now - entry.diedAt > window || table[entry.slot]?.status != .dead || table[entry.slot]?.generation != entry.generation
        }
        guard !recentlyDead.isEmpty else { return }
        let entry = recentlyDead[Int.random(in: 0..<recentlyDead.count, using: &rng)]
        guard let record = table[entry.slot], let accusation = record.accusation, let address = record.alive.metadata?.address
        else { return }
        send(
            [.gossip(accusation), .ping(seq: takeSeq(), target: record.alive.subject, from: myself)], to: address,
            receiver: record.alive.subject, effects: &effects)
    }

    /// This node's alive statement, for a probe or probe request to a member that may not
    /// know us yet, else nothing. A member learns of a joiner by gossip, which can miss it
    /// (each statement is sent λ·log(n) times in all); the joiner probes every member within
    /// one round, so whoever missed it learns it from the joiner itself, and its gate, which
    /// admits pings only from senders it holds a certificate for, lets the ping through.
    func introduction(to slot: Int32?) -> [MembershipMessage] {
        guard leaveCompletesAt == nil else { return [] }
        if let slot, table[slot]?.knowsUs == true { return [] }
        return [.gossip(ownAlive)]
    }

    /// `slot` has shown it holds our alive statement: later probes need not carry it.
    mutating func markKnowsUs(_ slot: Int32) {
        guard table[slot]?.knowsUs == false else { return }
        table.update(slot) { $0.knowsUs = true }
    }

    mutating func advanceProbe(now: Duration, effects: inout [MembershipEffect]) {
        guard var current = probe else { return }
        // A deadline met late means this node was not running (a loaded machine, a paused
        // process): the ack may be waiting behind this tick, unread. Once per probe, both
        // deadlines move to a grace from now, and the lateness counts against local health, so
        // the next probes wait longer (Lifeguard IV.A: a slow node must not accuse others).
        let due = current.indirectSent ? current.endAt : current.indirectAt
        if !current.movedForLateness, now >= due, now - due > lateTolerance {
            let shift = now - due + lateGrace
            current.movedForLateness = true
            if !current.indirectSent { current.indirectAt += shift }
            current.endAt += shift
            probe = current
            health.apply(1)
            counters.lateTicks += 1
            return
        }
        if !current.indirectSent, now >= current.indirectAt {
            current.indirectSent = true
            let helpers = randomActive(count: config.indirectProbes, excluding: current.slot)
            current.expectedNacks = helpers.count
            for helper in helpers {
                guard let record = table[helper], let address = record.alive.metadata?.address else { continue }
                send(
                    introduction(to: helper)
                        + [.pingReq(seq: current.seq, target: current.target, targetAddress: current.address, from: myself)],
                    to: address, receiver: record.alive.subject, effects: &effects)
            }
            if config.streamFallbackPing {
                effects.append(.streamPing(target: current.target, seq: current.seq, to: current.address))
            }
            probe = current
        }
        if now >= current.endAt {
            probe = nil
            finishFailedProbe(current, now: now, effects: &effects)
        }
    }

    /// No ack by the end of the period: adjust health from missing nacks, then suspect —
    /// unless our own sends failed since the probe began and nothing we sent has been answered
    /// since, which says nothing about the target yet (the probe is excused; see `ExcusedProbe`).
    private mutating func finishFailedProbe(_ failed: ProbeInFlight, now: Duration, effects: inout [MembershipEffect]) {
        if let failedAt = failed.localFailureAt, (lastAnsweredSendAt ?? failedAt - .nanoseconds(1)) < failedAt {
            excusedProbe = ExcusedProbe(
                slot: failed.slot, target: failed.target, address: failed.address, seq: failed.seq,
                indirectSentAt: failed.indirectSent ? failed.indirectAt : nil, failedAt: failedAt,
                expiresAt: now + health.scaled(config.probeInterval))
            return
        }
        if failed.expectedNacks > 0 {
            health.apply(max(0, failed.expectedNacks - failed.nacks))
        } else {
            health.apply(1)
        }
        suspect(slot: failed.slot, target: failed.target, address: failed.address, now: now, effects: &effects)
    }

    /// Suspects a member whose probe failed, if it is still the member in `slot` and alive or
    /// suspect.
    mutating func suspect(slot: Int32, target: NodeID, address: MemberAddress, now: Duration, effects: inout [MembershipEffect]) {
        guard let record = table[slot], record.alive.subject == target, record.status == .alive || record.status == .suspect
        else { return }
        counters.failedProbes += 1
        let suspect = Statement.signed(
            subject: target, incarnation: record.incarnation, claim: .suspect(accuser: myself), by: authenticator)
        if let change = assess(suspect) {
            commit(change, suspect, now: now, effects: &effects)
        }
        // Tell the suspect directly so it can refute at once (Lifeguard IV.C "buddy system").
        send([.gossip(suspect)], to: address, receiver: target, effects: &effects)
    }

    /// Ends the current probe if `seq` is its; returns when the request this ack answers was sent.
    mutating func probeAcked(seq: UInt64, direct: Bool) -> Duration? {
        guard let current = probe, current.seq == seq else { return nil }
        probe = nil
        if direct { markKnowsUs(current.slot) }
        if direct && !current.indirectSent { health.apply(-1) }
        return direct ? current.startedAt : current.indirectAt
    }

    /// How late a deadline may be met before this node counts itself as not having run in time.
    var lateTolerance: Duration { config.probeTimeout / 4 }

    /// How long a deadline met late is put off: time for the datagrams that queued while this
    /// node was not running to be read first.
    var lateGrace: Duration { config.probeTimeout }

    /// Up to `count` distinct random live members other than `excluded`.
    mutating func randomActive(count: Int, excluding excluded: Int32? = nil) -> [Int32] {
        let pool = table.active
        var chosen: [Int32] = []
        guard count > 0, !pool.isEmpty else { return chosen }
        if pool.count <= count + 1 {
            chosen = pool.filter { $0 != excluded }
            chosen.shuffle(using: &rng)
            return Array(chosen.prefix(count))
        }
        var attempts = 4 * count
        while chosen.count < count, attempts > 0 {
            attempts -= 1
            let slot = pool[Int.random(in: 0..<pool.count, using: &rng)]
            if slot != excluded, !chosen.contains(slot) { chosen.append(slot) }
        }
        return chosen
    }

    mutating func takeSeq() -> UInt64 {
        nextSeq &+= 1
        return nextSeq
    }

    /// Packs `messages` for `receiver` with as many pending statements as fit the payload budget.
    mutating func send(
        _ messages: [MembershipMessage], to address: MemberAddress, receiver: NodeID, effects: inout [MembershipEffect]
    ) {
        var datagram = Datagram(messages: messages)
        let budget = config.maxPayloadBytes - datagram.estimatedSize
        if budget > 64, !broadcasts.isEmpty {
            for statement in broadcasts.take(
                budget: budget, limit: config.retransmitLimit(memberCount: liveMemberCount),
                elided: config.certificateBytesElided)
            {
                datagram.messages.append(.gossip(statement))
            }
        }
        effects.append(.send(datagram, to: address, receiver: receiver))
    }
}
