import ShoalMembership

/// Invariants checked on every event a node reports.
extension Simulation {
    /// How far back a fault may explain a declaration of death: the longest suspicion timeout
    /// plus the longest protocol period (probe interval stretched by the full Lifeguard
    /// multiplier) in which the failed probe that started it ran.
    var deathExplanationWindow: Duration {
        let config = options.membership
        return config.suspicionTimeouts(memberCount: nodes.count).maximum
            + config.probeInterval * config.awarenessMaxMultiplier + config.probeTimeout
    }

    func observe(_ event: MembershipEvent, by observer: Int) {
        eventCount += 1
        let (kind, subjectID, incarnation): (UInt8, NodeID?, UInt64) =
            switch event {
            case .joined(let member): (1, member.id, member.incarnation)
            case .updated(let member): (2, member.id, member.incarnation)
            case .suspected(let member): (3, member.id, member.incarnation)
            case .failed(let member): (4, member.id, member.incarnation)
            case .left(let member): (5, member.id, member.incarnation)
            case .reaped(let id): (6, id, 0)
            case .refuted(let incarnation): (7, nil, incarnation)
            }
        let subject = subjectID.flatMap { idIndex[$0] } ?? -1
        digest(UInt64(truncatingIfNeeded: now.components.seconds) &* 1_000_000_000 &+ UInt64(now.components.attoseconds / 1_000_000_000))
        digest(UInt64(observer))
        digest(UInt64(kind))
        digest(UInt64(bitPattern: Int64(subject)))
        digest(incarnation)
        if options.recordLog {
            log.append("\(now) node-\(observer) \(kindName(kind)) node-\(subject) @\(incarnation)")
        }
        guard subject >= 0, subject != observer else { return }
        if kind == 4 {
            if trackedDeaths[subject] != nil, trackedDeaths[subject]![observer] == nil {
                trackedDeaths[subject]![observer] = now
            }
            // Only the accuser's own declaration is judged; others relay a signed statement
            // whose declaration was judged when its accuser reported it.
            if nodes[observer].box?.state.latestStatement(about: subjectID!)?.signer == nodes[observer].id {
                checkNoFalseDeath(subject: subject, observer: observer)
            }
        }
        if options.checkMonotonicStatus { checkMonotonic(kind: kind, subject: subject, observer: observer, incarnation: incarnation) }
    }

    /// No false death: a node is declared dead only if, within the preceding suspicion window,
    /// it was crashed, paused, partitioned, cut off or leaving.
    private func checkNoFalseDeath(subject: Int, observer: Int) {
        let node = nodes[subject]
        if node.isImpaired || node.impairedUntil + deathExplanationWindow >= now { return }
        violations.append("seed \(options.seed): at \(now) node-\(observer) declared healthy node-\(subject) dead")
    }

    /// Statuses only move forward: (incarnation, rank) strictly grows, and alive needs a
    /// strictly higher incarnation; reaping forgets.
    private func checkMonotonic(kind: UInt8, subject: Int, observer: Int, incarnation: UInt64) {
        if kind == 6 {
            statusHistory[observer][subject] = nil
            return
        }
        let rank: UInt64 =
            switch kind {
            case 1, 2: 0
            case 3: 1
            case 4: 2
            default: 3
            }
        let key = incarnation << 2 | rank
        if let previous = statusHistory[observer][subject] {
            let moved = rank == 0 ? incarnation > previous >> 2 : key > previous
            if !moved {
                violations.append(
                    "seed \(options.seed): at \(now) node-\(observer) moved node-\(subject) backwards "
                        + "from \(previous >> 2)/\(previous & 3) to \(incarnation)/\(rank)")
            }
        }
        statusHistory[observer][subject] = key
    }

    private func digest(_ value: UInt64) {
        var word = value
        for _ in 0..<8 {
            logDigest = (logDigest ^ (word & 0xff)) &* 0x0000_0100_0000_01b3
            word >>= 8
        }
    }

    private func kindName(_ kind: UInt8) -> String {
        ["", "joined", "updated", "suspected", "failed", "left", "reaped", "refuted"][Int(kind)]
    }
}
