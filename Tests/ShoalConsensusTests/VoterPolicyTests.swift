import Testing

@testable import ShoalConsensus

/// Which members vote (`VoterPolicy`): one change at a time, standby before voter, the
/// longest-lived first, zones spread, a dead voter replaced after its grace period.
@Suite("voter choice")
struct VoterPolicyTests {
    let policy = VoterPolicy()
    let leader = Fixture.id(1)

    func candidate(_ n: Int, healthy: Bool = true, since: Int = 0, zone: String? = nil, caughtUp: Bool = false) -> VoterPolicy.Candidate {
        VoterPolicy.Candidate(id: Fixture.id(n), healthy: healthy, since: .seconds(since), zone: zone, caughtUp: caughtUp)
    }

    func next(_ configuration: Configuration, _ candidates: [VoterPolicy.Candidate], now: Int = 100, last: Int? = nil) -> ConfigurationChange? {
        policy.next(
            configuration: configuration, leader: leader, candidates: candidates, now: .seconds(now), lastChange: last.map { .seconds($0) })
    }

    @Test("three voters while fewer than five are healthy; five from five")
    func targets() {
        let three = Configuration(voters: Fixture.ids([1, 2, 3]))
        #expect(next(three, (1...4).map { candidate($0) }) == nil)
        // Five healthy: the longest-lived non-member (4 joined before 5) becomes a standby first.
        #expect(next(three, (1...3).map { candidate($0) } + [candidate(5, since: 20), candidate(4, since: 10)]) == .addLearner(Fixture.id(4)))
    }

    @Test("a standby is promoted only once it has caught up, and nothing changes within the settle time")
    func promotion() {
        let configuration = Configuration(voters: Fixture.ids([1, 2, 3, 4]), learners: [Fixture.id(5)])
        let behind = (1...4).map { candidate($0) } + [candidate(5)]
        #expect(next(configuration, behind) == nil)
        let caughtUp = (1...4).map { candidate($0) } + [candidate(5, caughtUp: true)]
        #expect(next(configuration, caughtUp) == .addVoter(Fixture.id(5)))
        #expect(next(configuration, caughtUp, now: 100, last: 99) == nil)
    }

    @Test("a voter unhealthy for the grace period is removed, never the leader, and not while it would cost a quorum")
    func replacement() {
        let configuration = Configuration(voters: Fixture.ids([1, 2, 3]))
        let recent = [candidate(1), candidate(2), candidate(3, healthy: false, since: 95)]
        #expect(next(configuration, recent) == nil)
        let long = [candidate(1), candidate(2), candidate(3, healthy: false, since: 80)]
        #expect(next(configuration, long) == .remove(Fixture.id(3)))
        // Two of three dead: removing one would leave one healthy of two, not a quorum of the rest.
        let two = [candidate(1), candidate(2, healthy: false, since: 0), candidate(3, healthy: false, since: 0)]
        #expect(next(configuration, two) == nil)
        // The leader is never removed, whatever membership says of it.
        let leaderDown = [candidate(1, healthy: false, since: 0), candidate(2), candidate(3)]
        #expect(next(configuration, leaderDown) == nil)
    }

    @Test("after a removal the longest-lived healthy member replaces the voter")
    func replaced() {
        let configuration = Configuration(voters: Fixture.ids([1, 2]))
        let change = next(configuration, [candidate(1), candidate(2), candidate(4, since: 50), candidate(5, since: 30)])
        #expect(change == .addLearner(Fixture.id(5)))
    }

    @Test("newcomers spread across zones the voters do not cover")
    func zones() {
        let configuration = Configuration(voters: Fixture.ids([1, 2, 3]))
        let candidates = [
            candidate(1, zone: "a"), candidate(2, zone: "a"), candidate(3, zone: "b"), candidate(4, since: 1, zone: "a"),
            candidate(5, since: 9, zone: "c"),
        ]
        #expect(next(configuration, candidates) == .addLearner(Fixture.id(5)))
    }

    @Test("five voters in a group down to four healthy steps the unhealthy one down")
    func shrink() {
        let configuration = Configuration(voters: Fixture.ids([1, 2, 3, 4, 5]))
        let candidates = [candidate(1), candidate(2), candidate(3), candidate(4), candidate(5, healthy: false, since: 99)]
        #expect(next(configuration, candidates) == .remove(Fixture.id(5)))
    }
}
