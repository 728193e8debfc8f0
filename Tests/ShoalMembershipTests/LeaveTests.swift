import Testing

@testable import ShoalMembership

@Suite("leaving and tombstones")
struct LeaveTests {
    @Test("a graceful leave gossips a signed left statement, then completes and goes silent")
    func gracefulLeave() {
        var node = Fixture.node(peers: 5)
        let effects = node.leave(now: .seconds(1))
        #expect(effects.messages.contains { if case .gossip(let s) = $0 { s.subject == Fixture.id(0) && s.status == .left } else { false } })
        let later = node.advance(to: .seconds(1) + MembershipConfig.lan.leavePropagationTime)
        #expect(later.events.contains { if case .left(let member) = $0 { member.id == Fixture.id(0) } else { false } })
        #expect(node.hasLeft)
        #expect(node.receive(Datagram(messages: [.ping(seq: 1, target: Fixture.id(0), from: Fixture.id(1))]), from: Fixture.address(1), now: .seconds(9)).isEmpty)
    }

    @Test("a leaving node's push-pull and re-probe deadlines do not ask for a tick they will not use")
    func leavingNodeDoesNotSpin() {
        var node = Fixture.node(peers: 5)
        // Leave just after the first push-pull and re-probe fell due: tick skips both while leaving.
        let at = max(node.nextPushPullAt, node.nextReprobeAt)
        _ = node.leave(now: at)
        var now = at
        var ticks = 0
        while !node.hasLeft, ticks < 1_000 {
            _ = node.tick(now: now)
            ticks += 1
            #expect(node.nextDeadline > now || node.hasLeft, "asked to tick again at \(now)")
            if node.nextDeadline <= now { break }
            now = node.nextDeadline
        }
        #expect(node.hasLeft)
    }

    @Test("a leaving node does not refute its own left statement")
    func noRefuteWhileLeaving() {
        var node = Fixture.node(peers: 5)
        _ = node.leave(now: .seconds(1))
        _ = node.receive(Datagram(messages: [.gossip(Fixture.dead(0, 1, by: 2))]), from: Fixture.address(2), now: .seconds(1))
        #expect(node.incarnation == 1)
    }

    @Test("force-leave turns a dead member into left")
    func forceLeave() {
        var node = Fixture.node(peers: 5)
        _ = node.receive(Datagram(messages: [.gossip(Fixture.dead(3, 1, by: 2))]), from: Fixture.address(2), now: .seconds(1))
        let effects = node.forceLeave(name: "node-3", now: .seconds(2))
        #expect(node.member(Fixture.id(3))?.status == .left)
        #expect(effects.events.contains { if case .left(let member) = $0 { member.id == Fixture.id(3) } else { false } })
        #expect(node.forceLeave(name: "node-4", now: .seconds(2)).isEmpty, "alive members are not force-left")
    }

    @Test("tombstones are reaped after the reap time")
    func reaping() {
        var config = MembershipConfig.lan
        config.deadReapTime = .seconds(30)
        var node = Fixture.node(peers: 5, config: config)
        _ = node.receive(Datagram(messages: [.gossip(Fixture.dead(3, 1, by: 2))]), from: Fixture.address(2), now: .seconds(1))
        let effects = node.advance(to: .seconds(32))
        #expect(effects.events.contains(.reaped(Fixture.id(3))))
        #expect(node.member(Fixture.id(3)) == nil)
    }

    @Test("push-pull does not resurrect tombstones of members never known")
    func pushPullKeepsTombstonesDead() {
        var node = Fixture.node(peers: 2)
        let state = PushPullState(
            sender: Fixture.alive(1, 1),
            entries: [PushPullEntry(alive: Fixture.alive(7, 1), accusation: Fixture.dead(7, 1, by: 1)), PushPullEntry(alive: Fixture.alive(8, 1), accusation: nil)],
            isJoin: false)
        let answer = node.answerPushPull(state, from: Fixture.address(1), now: .seconds(1))
        #expect(node.member(Fixture.id(7)) == nil && node.member(Fixture.id(8))?.status == .alive)
        #expect(answer?.reply.entries.contains { $0.alive.subject == Fixture.id(8) } == true)
    }
}
