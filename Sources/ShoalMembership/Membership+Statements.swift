/// Applying statements: the incarnation rules of SWIM §4.2 and memberlist `aliveNode`,
/// `suspectNode`, `deadNode`.
extension Membership {
    /// How a verified statement would change this node's view.
    enum Change {
        case newMember
        case aliveNewer(Int32)
        case metadataOnly(Int32)
        case accuse(Int32)
        case confirm(Int32)
    }

    /// Verifies and applies one received statement. Statements that would change nothing are
    /// dropped before the (costly) signature check; the rest must verify for their signer.
    mutating func ingest(_ statement: Statement, now: Duration, effects: inout [MembershipEffect]) {
        if statement.subject == myself {
            ingestAboutMyself(statement, now: now, effects: &effects)
            return
        }
        guard let change = assess(statement) else { return }
        guard verify(statement) else {
            counters.rejectedStatements += 1
            return
        }
        commit(change, statement, now: now, effects: &effects)
    }

    func verify(_ statement: Statement) -> Bool {
        authenticator.verify(statement.signature, of: statement.canonicalBytes, by: statement.signer)
    }

    /// Precedence: a higher incarnation wins; within one incarnation alive < suspect < dead <
    /// left, and an alive statement needs a strictly higher incarnation to win.
    func assess(_ statement: Statement) -> Change? {
        guard let slot = table.slot(of: statement.subject), let record = table[slot] else {
            if case .alive = statement.claim { return .newMember }
            return nil  // accusations about strangers carry no address; their alive will come
        }
        switch statement.claim {
        case .alive:
            if statement.incarnation > record.incarnation { return .aliveNewer(slot) }
            if statement.incarnation > record.alive.incarnation { return .metadataOnly(slot) }
            return nil
        case .suspect(let accuser):
            if statement.precedence > record.precedence { return .accuse(slot) }
            if record.status == .suspect, let suspicion = suspicions[slot],
                suspicion.incarnation == statement.incarnation, suspicion.accepts(accuser)
            {
                return .confirm(slot)
            }
            return nil
        case .dead:
            return statement.precedence > record.precedence ? .accuse(slot) : nil
        }
    }

    mutating func commit(_ change: Change, _ statement: Statement, now: Duration, effects: inout [MembershipEffect]) {
        counters.appliedStatements += 1
        let changedSlot: Int32
        switch change {
        case .newMember:
            let slot = table.insert(alive: statement, status: .alive, now: now)
            changedSlot = slot
            table.setActive(slot, true)
            insertIntoProbeOrder(slot)
            report(.joined, slot: slot, effects: &effects)
        case .aliveNewer(let slot):
            changedSlot = slot
            let previous = table[slot]!.status
            table.update(slot) {
                $0.alive = statement
                $0.accusation = nil
                $0.status = .alive
                if previous != .alive { $0.changedAt = now }
                // A new life (a restart) may have forgotten us.
                $0.knowsUs = false
            }
            _ = table.bumpGeneration(slot)
            suspicions[slot] = nil
            if previous == .dead || previous == .left {
                table.setDead(slot, false)
                table.setActive(slot, true)
                insertIntoProbeOrder(slot)
                report(.joined, slot: slot, effects: &effects)
            } else {
                report(.updated, slot: slot, effects: &effects)
            }
        case .metadataOnly(let slot):
            table.update(slot) { $0.alive = statement }
            return
        case .accuse(let slot):
            changedSlot = slot
            accuse(slot, with: statement, now: now, effects: &effects)
        case .confirm(let slot):
            changedSlot = slot
            guard suspicions[slot]?.confirm(by: statement.signer) == true, let suspicion = suspicions[slot] else { return }
            // A confirmation can move the deadline into the past: it is due now, not late.
            timers.push(.suspicion(slot: slot, generation: table[slot]!.generation), at: max(suspicion.deadline, now))
        }
        if !quiet { broadcasts.enqueue(statement, slot: changedSlot) }
    }

    private mutating func accuse(_ slot: Int32, with statement: Statement, now: Duration, effects: inout [MembershipEffect]) {
        let previous = table[slot]!.status
        let status = statement.status
        table.update(slot) {
            $0.accusation = statement
            $0.status = status
            $0.changedAt = now
        }
        let generation = table.bumpGeneration(slot)
        suspicions[slot] = nil
        switch status {
        case .suspect:
            table.setDead(slot, false)
            table.setActive(slot, true)
            if previous == .dead || previous == .left { insertIntoProbeOrder(slot) }
            let bounds = config.suspicionTimeouts(memberCount: liveMemberCount)
            // Lifeguard wants k independent confirmations, unless the cluster is too small
            // to provide them (memberlist: n - 2 < k).
            let wanted = liveMemberCount - 2 < config.indirectProbes ? 0 : config.indirectProbes
            let suspicion = Suspicion(
                incarnation: statement.incarnation, accuser: statement.signer, startedAt: now,
                wanted: wanted, minimum: bounds.minimum, maximum: bounds.maximum)
            suspicions[slot] = suspicion
            timers.push(.suspicion(slot: slot, generation: generation), at: suspicion.deadline)
            report(.suspected, slot: slot, effects: &effects)
        case .dead:
            table.setActive(slot, false)
            table.setDead(slot, true)
            timers.push(.reap(slot: slot, generation: generation), at: now + config.deadReapTime)
            if !quiet { recentlyDead.append((slot, generation, now)) }
            report(.failed, slot: slot, effects: &effects)
        case .left:
            table.setActive(slot, false)
            table.setDead(slot, false)
            timers.push(.reap(slot: slot, generation: generation), at: now + config.deadReapTime)
            report(.left, slot: slot, effects: &effects)
        case .alive:
            break
        }
    }

    /// A node never accepts an accusation against itself while it runs: it refutes with a
    /// higher incarnation (SWIM §4.2), and the need to refute counts against its health
    /// (Lifeguard IV.A).
    private mutating func ingestAboutMyself(_ statement: Statement, now: Duration, effects: inout [MembershipEffect]) {
        guard leaveCompletesAt == nil else { return }
        switch statement.claim {
        case .alive:
            // Only an earlier life of this node could have signed a higher incarnation.
            guard statement.incarnation > incarnation, verify(statement) else { return }
        case .suspect, .dead:
            guard verify(statement) else {
                counters.rejectedStatements += 1
                return
            }
            guard statement.incarnation >= incarnation else {
                // The accuser holds an older life of ours than our latest refutation, which it
                // never heard: the refutation's transmissions were spent while the two sides
                // could not talk (a partition that has healed since). No new incarnation is
                // needed, only the current alive statement gossiped again.
                if let current = table[mySlot]?.alive { broadcasts.enqueue(current, slot: mySlot) }
                return
            }
        }
        refute(above: statement.incarnation, now: now, effects: &effects)
    }

    mutating func refute(above accused: UInt64, now: Duration, effects: inout [MembershipEffect]) {
        counters.refutations += 1
        health.apply(1)
        setIncarnation(max(incarnation, accused) + 1, now: now, effects: &effects)
        effects.append(.event(.refuted(incarnation: incarnation)))
    }

    /// Re-signs this node's alive statement at `newIncarnation`, persists and gossips it.
    mutating func setIncarnation(_ newIncarnation: UInt64, now: Duration, effects: inout [MembershipEffect]) {
        incarnation = newIncarnation
        let alive = Statement.signed(subject: myself, incarnation: incarnation, claim: .alive(metadata), by: authenticator)
        table.update(mySlot) {
            $0.alive = alive
            $0.accusation = nil
            $0.status = .alive
        }
        broadcasts.enqueue(alive, slot: mySlot)
        effects.append(.persistIncarnation(incarnation))
    }

    mutating func report(_ event: MembershipEvent, effects: inout [MembershipEffect]) {
        if !quiet { effects.append(.event(event)) }
    }

    enum MemberEventKind {
        case joined, updated, suspected, failed, left
    }

    /// Reports a change of the member in `slot`; builds the `Member` only when someone listens.
    mutating func report(_ kind: MemberEventKind, slot: Int32, effects: inout [MembershipEffect]) {
        guard !quiet else { return }
        let changed = member(at: slot)
        let event: MembershipEvent =
            switch kind {
            case .joined: .joined(changed)
            case .updated: .updated(changed)
            case .suspected: .suspected(changed)
            case .failed: .failed(changed)
            case .left: .left(changed)
            }
        effects.append(.event(event))
    }

    /// Fires due suspicion and reap timers.
    mutating func fireTimers(now: Duration, effects: inout [MembershipEffect]) {
        var putOff: [(MemberTimer, Duration)] = []
        while let (due, timer) = timers.popDue(now: now) {
            switch timer {
            case .suspicion(let slot, let generation):
                guard let record = table[slot], record.generation == generation, record.status == .suspect,
                    var suspicion = suspicions[slot]
                else { continue }
                guard suspicion.deadline <= now else {
                    timers.push(timer, at: suspicion.deadline)
                    continue
                }
                // Expiry met late: the suspect's refutation may be queued behind this tick.
                // Put off once, by a grace, as a late probe is (`advanceProbe`).
                if !suspicion.putOffForLateness, now - due > lateTolerance {
                    suspicion.putOffForLateness = true
                    suspicions[slot] = suspicion
                    putOff.append((timer, now + lateGrace))
                    counters.lateTicks += 1
                    continue
                }
                let dead = Statement.signed(
                    subject: record.alive.subject, incarnation: suspicion.incarnation,
                    claim: .dead(accuser: myself, left: false), by: authenticator)
                commit(.accuse(slot), dead, now: now, effects: &effects)
            case .reap(let slot, let generation):
                guard let record = table[slot], record.generation == generation,
                    record.status == .dead || record.status == .left
                else { continue }
                suspicions[slot] = nil
                table.remove(slot)
                report(.reaped(record.alive.subject), effects: &effects)
            }
        }
        for (timer, deadline) in putOff { timers.push(timer, at: deadline) }
    }
}
