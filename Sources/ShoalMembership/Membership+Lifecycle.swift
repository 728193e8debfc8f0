/// Joining, the periodic tick, leaving and metadata changes.
extension Membership {
    /// Starts membership: persists the incarnation and push-pulls with every seed
    /// (memberlist `Join`). Seeds are also retried whenever this node finds itself alone.
    public mutating func join(seeds: [MemberAddress], now: Duration) -> [MembershipEffect] {
        guard !hasLeft else { return [] }
        self.seeds = seeds.filter { $0 != metadata.address }
        var effects: [MembershipEffect] = [.persistIncarnation(incarnation)]
        // Like memberlist, a joiner gossips its own existence too, not only the seed.
        broadcasts.enqueue(ownAlive, slot: mySlot)
        for seed in self.seeds {
            effects.append(.pushPull(pushPullState(isJoin: true), to: seed))
        }
        if !self.seeds.isEmpty, let followUp = config.joinFollowUp {
            nextPushPullAt = min(nextPushPullAt, now + followUp + Membership.fraction(of: followUp, using: &rng))
        }
        return effects
    }

    /// Advances every timer due at `now`: suspicion expiry, reaping, nacks owed, the probe of
    /// this period, gossip, push-pull and re-probing of the dead.
    public mutating func tick(now: Duration) -> [MembershipEffect] {
        guard !hasLeft else { return [] }
        var effects: [MembershipEffect] = []
        if let completes = leaveCompletesAt, now >= completes {
            hasLeft = true
            effects.append(.event(.left(member(at: mySlot))))
            return effects
        }
        fireTimers(now: now, effects: &effects)
        sendDueNacks(now: now, effects: &effects)
        if leaveCompletesAt == nil {
            advanceProbe(now: now, effects: &effects)
            if probe == nil, now >= nextProbeAt { startProbe(now: now, effects: &effects) }
        }
        if now >= nextGossipAt {
            nextGossipAt = now + config.gossipInterval
            gossip(effects: &effects)
        }
        if leaveCompletesAt == nil, now >= nextPushPullAt {
            nextPushPullAt = now + config.scaledPushPullInterval(memberCount: liveMemberCount)
            if let slot = randomActive(count: 1).first, let address = table[slot]?.alive.metadata?.address {
                effects.append(.pushPull(pushPullState(isJoin: false), to: address))
            }
        }
        if leaveCompletesAt == nil, now >= nextReprobeAt {
            nextReprobeAt = now + config.reprobeDeadInterval
            reprobe(effects: &effects)
        }
        return effects
    }

    /// When the shell must call `tick(now:)` next.
    public var nextDeadline: Duration {
        if hasLeft { return .seconds(Int64.max / 4) }
        var deadline = Duration.seconds(Int64.max / 4)
        // While leaving, `tick` neither probes, push-pulls nor re-probes; a deadline it would
        // not consume would have the shell call it again at once, over and over.
        if leaveCompletesAt == nil { deadline = min(nextProbeAt, nextPushPullAt, nextReprobeAt) }
        if let current = probe { deadline = min(deadline, current.indirectSent ? current.endAt : current.indirectAt) }
        if !broadcasts.isEmpty { deadline = min(deadline, nextGossipAt) }
        if let timer = timers.earliest { deadline = min(deadline, timer) }
        for forward in forwards { deadline = min(deadline, forward.nackAt) }
        if let completes = leaveCompletesAt { deadline = min(deadline, completes) }
        return deadline
    }

    /// Gracefully leaves: signs a left statement about itself, gossips it for
    /// `leavePropagationTime` (still answering pings), then reports `.left` for itself and
    /// goes silent.
    public mutating func leave(now: Duration) -> [MembershipEffect] {
        guard !hasLeft, leaveCompletesAt == nil else { return [] }
        var effects: [MembershipEffect] = []
        let left = Statement.signed(subject: myself, incarnation: incarnation, claim: .dead(accuser: myself, left: true), by: authenticator)
        table.update(mySlot) {
            $0.accusation = left
            $0.status = .left
            $0.changedAt = now
        }
        broadcasts.enqueue(left, slot: mySlot)
        probe = nil
        leaveCompletesAt = now + config.leavePropagationTime
        for slot in randomActive(count: max(config.gossipFanout, config.indirectProbes)) {
            guard let record = table[slot], let address = record.alive.metadata?.address else { continue }
            send([.gossip(left)], to: address, receiver: record.alive.subject, effects: &effects)
        }
        return effects
    }

    /// Marks a dead or suspect member named `name` as left (Serf `force-leave`), signed by
    /// this node, so it stops being re-probed and is reaped. Alive members are left alone:
    /// they would refute anyway.
    public mutating func forceLeave(name: String, now: Duration) -> [MembershipEffect] {
        guard !hasLeft else { return [] }
        var effects: [MembershipEffect] = []
        for case let record? in table.records
        where record.alive.metadata?.name == name && (record.status == .dead || record.status == .suspect) {
            let left = Statement.signed(
                subject: record.alive.subject, incarnation: record.incarnation,
                claim: .dead(accuser: myself, left: true), by: authenticator)
            if let change = assess(left) { commit(change, left, now: now, effects: &effects) }
        }
        return effects
    }

    /// Publishes new metadata (labels, resources, version) under a new incarnation.
    public mutating func updateMetadata(_ newMetadata: MemberMetadata, now: Duration) -> [MembershipEffect] {
        guard !hasLeft, leaveCompletesAt == nil else { return [] }
        var effects: [MembershipEffect] = []
        metadata = newMetadata
        setIncarnation(incarnation + 1, now: now, effects: &effects)
        return effects
    }

    private mutating func sendDueNacks(now: Duration, effects: inout [MembershipEffect]) {
        guard forwards.contains(where: { $0.nackAt <= now }) else { return }
        var kept: [ForwardedProbe] = []
        for forward in forwards {
            if forward.nackAt <= now {
                send(
                    [.nack(seq: forward.originSeq, from: myself)], to: forward.requester, receiver: forward.requesterID,
                    effects: &effects)
            } else {
                kept.append(forward)
            }
        }
        forwards = kept
    }

    private mutating func gossip(effects: inout [MembershipEffect]) {
        guard !broadcasts.isEmpty else { return }
        for slot in randomActive(count: config.gossipFanout) {
            guard !broadcasts.isEmpty else { return }
            gossip(to: slot, effects: &effects)
        }
        // A backlog (more news than this round's datagrams carry, as in a join storm, where each
        // alive statement carries a certificate and few fit a datagram): a few more datagrams,
        // so dissemination keeps up with the news instead of queueing it.
        var extra = 0
        while extra < config.gossipBurst, broadcasts.count > 4 * config.gossipFanout, let slot = randomActive(count: 1).first {
            gossip(to: slot, effects: &effects)
            extra += 1
        }
    }

    private mutating func gossip(to slot: Int32, effects: inout [MembershipEffect]) {
        guard let record = table[slot], let address = record.alive.metadata?.address else { return }
        send([], to: address, receiver: record.alive.subject, effects: &effects)
    }

    /// Push-pull with a random dead member, and with a random seed that is not known to be
    /// alive (never answered, died, or was reaped), so that both sides of a healed partition
    /// learn of each other (Serf reconnect) and a failed join is retried.
    private mutating func reprobe(effects: inout [MembershipEffect]) {
        if !table.dead.isEmpty {
            let slot = table.dead[Int.random(in: 0..<table.dead.count, using: &rng)]
            if let address = table[slot]?.alive.metadata?.address {
                effects.append(.pushPull(pushPullState(isJoin: false), to: address))
            }
        }
        guard !seeds.isEmpty else { return }
        let seed = seeds[Int.random(in: 0..<seeds.count, using: &rng)]
        if let id = seedMembers[seed], let status = member(id)?.status, status == .alive || status == .suspect { return }
        effects.append(.pushPull(pushPullState(isJoin: true), to: seed))
    }
}

extension Membership {
    /// Push-pulls with `addresses` as a joiner would, without making them seeds: what an
    /// operator's `shoal join ADDR` asks of a running node.
    public func contact(_ addresses: [MemberAddress]) -> [MembershipEffect] {
        guard !hasLeft else { return [] }
        return addresses.filter { $0 != metadata.address }.map { .pushPull(pushPullState(isJoin: true), to: $0) }
    }
}
