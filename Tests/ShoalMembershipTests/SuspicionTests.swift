import Testing

@testable import ShoalMembership

@Suite("suspicion and dissemination arithmetic")
struct SuspicionTests {
    @Test("the suspicion timeout shrinks from max to min with independent confirmations", arguments: [
        (0, 60.0), (1, 35.0), (2, 20.376), (3, 10.0), (4, 10.0),
    ])
    func shrinks(confirmations: Int, seconds expected: Double) {
        var suspicion = Suspicion(
            incarnation: 1, accuser: Fixture.id(1), startedAt: .zero, wanted: 3, minimum: .seconds(10), maximum: .seconds(60))
        for index in 0..<confirmations { _ = suspicion.confirm(by: Fixture.id(10 + index)) }
        let seconds = Double(suspicion.deadline.components.seconds) + Double(suspicion.deadline.components.attoseconds) / 1e18
        #expect(abs(seconds - expected) < 0.01)
    }

    @Test("the same accuser never confirms twice")
    func noDoubleCounting() {
        var suspicion = Suspicion(incarnation: 1, accuser: Fixture.id(1), startedAt: .zero, wanted: 3, minimum: .seconds(1), maximum: .seconds(6))
        let outcomes = [Fixture.id(1), Fixture.id(2), Fixture.id(2)].map { suspicion.confirm(by: $0) }
        #expect(outcomes == [false, true, false])
    }

    @Test("statements are retransmitted λ·ceil(log10(n+1)) times (λ = 5 in the lan profile)", arguments: [
        (1, 5), (9, 5), (10, 10), (99, 10), (100, 15), (1000, 20), (10_000, 25),
    ])
    func retransmitLimit(members: Int, limit: Int) {
        #expect(MembershipConfig.lan.retransmitLimit(memberCount: members) == limit)
    }

    @Test("the minimum suspicion timeout scales with log10(n)", arguments: [
        (1, 4.0), (10, 4.0), (100, 8.0), (1000, 12.0),
    ])
    func suspicionScale(members: Int, seconds: Double) {
        let minimum = Fixture.classic.suspicionTimeouts(memberCount: members).minimum
        let value = Double(minimum.components.seconds) + Double(minimum.components.attoseconds) / 1e18
        #expect(abs(value - seconds) < 0.001)
    }

    @Test("the pure logarithm matches known values", arguments: [(1.0, 0.0), (10.0, 1.0), (1000.0, 3.0), (2.0, 0.30103)])
    func log10(value: Double, expected: Double) {
        #expect(abs(PureMath.log10(value) - expected) < 1e-5)
    }

    @Test("a suspect with no confirmations is declared dead at the maximum timeout")
    func deathAfterTimeout() {
        var node = Fixture.node(peers: 9)
        _ = node.receive(Datagram(messages: [.gossip(Fixture.suspect(4, 1, by: 2))]), from: Fixture.address(2), now: .zero)
        let bounds = Fixture.classic.suspicionTimeouts(memberCount: 10)
        _ = node.advance(to: bounds.maximum - .milliseconds(1))
        let before = node.member(Fixture.id(4))?.status
        _ = node.advance(to: bounds.maximum + .milliseconds(1))
        #expect(before == .suspect && node.member(Fixture.id(4))?.status == .dead)
    }
}
