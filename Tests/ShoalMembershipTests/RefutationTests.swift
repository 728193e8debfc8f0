import Testing

@testable import ShoalMembership

@Suite("refutation")
struct RefutationTests {
    @Test("a suspect that refutes stays alive", arguments: [
        Fixture.suspect(0, 1, by: 2),
        Fixture.dead(0, 1, by: 2),
        Fixture.suspect(0, 5, by: 3),
    ])
    func refutes(_ accusation: Statement) {
        var node = Fixture.node(peers: 3)
        let effects = node.receive(Datagram(messages: [.gossip(accusation)]), from: Fixture.address(2), now: .seconds(1))
        let expected = accusation.incarnation + 1
        #expect(node.incarnation == expected)
        #expect(effects.contains { if case .persistIncarnation(expected) = $0 { true } else { false } })
        #expect(effects.events.contains(.refuted(incarnation: expected)))
        #expect(node.localHealth == 1, "having to refute counts against our own health (Lifeguard)")
        let gossiped = node.advance(to: .seconds(2)).messages.contains { message in
            if case .gossip(let statement) = message { statement.subject == Fixture.id(0) && statement.incarnation == expected } else { false }
        }
        #expect(gossiped)
    }

    @Test("an accusation about an incarnation we already left behind needs no refutation")
    func staleAccusationIgnored() {
        var node = Fixture.node(peers: 3)
        _ = node.receive(Datagram(messages: [.gossip(Fixture.suspect(0, 1, by: 2))]), from: Fixture.address(2), now: .seconds(1))
        _ = node.receive(Datagram(messages: [.gossip(Fixture.suspect(0, 1, by: 3))]), from: Fixture.address(3), now: .seconds(1))
        #expect(node.incarnation == 2 && node.counters.refutations == 1)
    }

    /// Ticks until `time` with every peer acking every ping at once; returns all effects.
    func advanceAnswered(_ node: inout Membership, to time: Duration) -> [MembershipEffect] {
        var effects: [MembershipEffect] = []
        while node.nextDeadline <= time {
            let at = node.nextDeadline
            let tick = node.tick(now: at)
            effects += tick
            for (datagram, address) in tick.sends {
                for case .ping(let seq, let target, _) in datagram.messages {
                    effects += node.receive(Datagram(messages: [.ack(seq: seq, from: target)]), from: address, now: at)
                }
            }
            if node.nextDeadline <= at {
                Issue.record("the tick at \(at) did not move the next deadline (\(node.nextDeadline)) on")
                break
            }
        }
        return effects
    }

    @Test("a stale accusation from a member that missed our refutation gets the current alive statement gossiped again")
    func staleAccusationRegossips() {
        var node = Fixture.node(peers: 3)
        _ = node.receive(Datagram(messages: [.gossip(Fixture.suspect(0, 1, by: 2))]), from: Fixture.address(2), now: .seconds(1))
        #expect(node.incarnation == 2)
        func gossipsAlive(_ effects: [MembershipEffect]) -> Bool {
            effects.messages.contains { message in
                if case .gossip(let statement) = message { statement.subject == Fixture.id(0) && statement.incarnation == 2 } else { false }
            }
        }
        // The refutation's transmissions are spent (as in a partition, where nobody heard them).
        _ = advanceAnswered(&node, to: .seconds(60))
        #expect(!gossipsAlive(advanceAnswered(&node, to: .seconds(70))), "the refutation is no longer being gossiped")
        // A forged stale accusation (signed by 2 in 3's name) is rejected and re-gossips nothing.
        let forged = Statement.signed(subject: Fixture.id(0), incarnation: 1, claim: .dead(accuser: Fixture.id(3), left: false), by: Fixture.signer(2))
        _ = node.receive(Datagram(messages: [.gossip(forged)]), from: Fixture.address(2), now: .seconds(70))
        #expect(node.counters.rejectedStatements == 1, "the forged accusation is counted as rejected")
        #expect(!gossipsAlive(advanceAnswered(&node, to: .seconds(73))), "a forged stale accusation re-gossips nothing")
        // Member 3, healed back, still holds the first life dead.
        _ = node.receive(Datagram(messages: [.gossip(Fixture.dead(0, 1, by: 3))]), from: Fixture.address(3), now: .seconds(73))
        #expect(node.incarnation == 2 && node.counters.refutations == 1, "no new incarnation for a stale accusation")
        #expect(gossipsAlive(advanceAnswered(&node, to: .seconds(76))), "the current alive statement is gossiped again")
    }

    @Test("join persists the starting incarnation and push-pulls every seed")
    func joinPersists() {
        var node = Fixture.node()
        let effects = node.join(seeds: [Fixture.address(1), Fixture.address(2), Fixture.address(0)], now: .zero)
        let pushes = effects.filter { if case .pushPull = $0 { true } else { false } }
        #expect(pushes.count == 2)
        #expect(effects.contains { if case .persistIncarnation(1) = $0 { true } else { false } })
    }

    @Test("a member we hold as dead that pings us is told so in the ack, and its refutation revives it")
    func deadMemberToldOnPing() {
        var node = Fixture.node(peers: 3)
        _ = node.receive(Datagram(messages: [.gossip(Fixture.dead(2, 1, by: 3))]), from: Fixture.address(3), now: .seconds(1))
        #expect(node.member(Fixture.id(2))?.status == .dead)
        let answer = node.receive(
            Datagram(messages: [.ping(seq: 7, target: Fixture.id(0), from: Fixture.id(2))]), from: Fixture.address(2),
            now: .seconds(2))
        let told = answer.messages.contains { if case .gossip(let statement) = $0 { statement.subject == Fixture.id(2) && statement.status == .dead } else { false } }
        #expect(told)
        _ = node.receive(Datagram(messages: [.gossip(Fixture.alive(2, 2))]), from: Fixture.address(2), now: .seconds(3))
        #expect(node.member(Fixture.id(2))?.status == .alive)
    }
}
