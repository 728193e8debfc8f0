import Testing

@testable import ShoalMembership

/// A node that was not running when a deadline came (a loaded machine, a paused process) meets
/// it late, with what arrived meanwhile still unread behind the tick: it puts the conclusion off
/// once instead of accusing on evidence it has not read.
@Suite("late deadlines")
struct LatenessTests {
    func suspected(_ effects: [MembershipEffect], _ target: NodeID) -> Bool {
        effects.events.contains { if case .suspected(let member) = $0 { member.id == target } else { false } }
    }

    @Test("a probe's end met late waits for the ack queued behind the tick, and counts against local health")
    func lateProbeEnd() throws {
        var node = Fixture.node(peers: 5)
        let ping = try node.firstPing()
        // On time up to the ping-reqs (classic profile: timeout 500 ms, period 1 s), then the
        // node does not run until 500 ms after the period ended.
        _ = node.advance(to: ping.at + .milliseconds(500))
        let late = node.tick(now: ping.at + .milliseconds(1500))
        #expect(!suspected(late, ping.target), "a late tick suspected the target before reading its queued ack")
        #expect(node.localHealth == 1)
        #expect(node.counters.lateTicks == 1)
        // The ack that queued while the node was not running is read next.
        _ = node.receive(
            Datagram(messages: [.ack(seq: ping.seq, from: ping.target)]), from: ping.address, now: ping.at + .milliseconds(1500))
        let later = node.advance(to: ping.at + .seconds(3))
        #expect(!suspected(later, ping.target))
    }

    @Test("a node that is late at every deadline still concludes: the second late deadline of a probe suspects")
    func alwaysLate() throws {
        var node = Fixture.node(peers: 5)
        let ping = try node.firstPing()
        let first = node.tick(now: ping.at + .milliseconds(1500))
        #expect(!suspected(first, ping.target))
        #expect(
            !first.messages.contains { if case .pingReq = $0 { true } else { false } },
            "ping-reqs went out on a late tick, before the queued ack was read")
        let second = node.tick(now: ping.at + .seconds(5))
        #expect(suspected(second, ping.target), "a probe put off once must conclude at its next late deadline")
        #expect(second.messages.contains { if case .pingReq = $0 { true } else { false } })
    }

    @Test("a suspicion's expiry met late waits for the refutation queued behind the tick")
    func lateSuspicionExpiry() {
        var node = Fixture.node(peers: 5)
        _ = node.receive(Datagram(messages: [.gossip(Fixture.suspect(1, 1, by: 2))]), from: Fixture.address(2), now: .zero)
        // Long past the longest suspicion timeout, in one late tick.
        let late = node.tick(now: .seconds(100))
        #expect(!late.events.contains { if case .failed(let member) = $0 { member.id == Fixture.id(1) } else { false } })
        _ = node.receive(Datagram(messages: [.gossip(Fixture.alive(1, 2))]), from: Fixture.address(1), now: .seconds(100))
        let later = node.advance(to: .seconds(102))
        #expect(!later.events.contains { if case .failed(let member) = $0 { member.id == Fixture.id(1) } else { false } })
        // (Node 0's own unanswered probes may suspect it again, at the new incarnation.)
        #expect(node.members.first { $0.id == Fixture.id(1) }?.incarnation == 2, "the refutation was not applied")
    }

    @Test("a suspicion put off for lateness and not refuted is declared dead a grace later")
    func lateSuspicionStillExpires() {
        var node = Fixture.node(peers: 5)
        _ = node.receive(Datagram(messages: [.gossip(Fixture.suspect(1, 1, by: 2))]), from: Fixture.address(2), now: .zero)
        _ = node.tick(now: .seconds(100))
        let later = node.advance(to: .seconds(101))
        #expect(later.events.contains { if case .failed(let member) = $0 { member.id == Fixture.id(1) } else { false } })
    }

    /// What lateness can cost: anyone who can load this node's CPU can make it late, and each
    /// late deadline then waits exactly one grace (the probe timeout), never longer.
    @Test("a late suspicion's expiry is put off by exactly one probe timeout")
    func putOffIsOneGrace() {
        var node = Fixture.node(peers: 5)
        let failed = { (effects: [MembershipEffect]) in
            effects.events.contains { if case .failed(let member) = $0 { member.id == Fixture.id(1) } else { false } }
        }
        _ = node.receive(Datagram(messages: [.gossip(Fixture.suspect(1, 1, by: 2))]), from: Fixture.address(2), now: .zero)
        let late = Duration.seconds(100)
        let grace = node.config.probeTimeout
        #expect(!failed(node.tick(now: late)))
        #expect(!failed(node.advance(to: late + grace - .milliseconds(1))), "declared dead before its grace ended")
        #expect(failed(node.advance(to: late + grace)), "a late suspicion waited longer than one probe timeout")
        #expect(node.counters.lateTicks == 1)
    }

    @Test("deadlines met on time are never put off")
    func onTime() throws {
        var node = Fixture.node(peers: 5)
        let ping = try node.firstPing()
        let effects = node.advance(to: ping.at + .seconds(1))
        #expect(suspected(effects, ping.target))
        #expect(node.counters.lateTicks == 0)
    }
}
