import Testing

@testable import ShoalConsensus

/// Thesis §4.1 single-server changes, §4.2.2 a removed leader, learners.
@Suite("voter changes and learners")
struct ConfigurationTests {
    /// Voters 1-3 led by 1, with 4 and 5 waiting to join.
    static func group() -> Cluster {
        var cluster = Cluster(count: 5, voters: [1, 2, 3])
        cluster.elect(1)
        return cluster
    }

    struct Change: CustomTestStringConvertible, Sendable {
        var name: String
        var change: ConfigurationChange
        var voters: [Int]
        var learners: [Int]
        var testDescription: String { name }
    }

    @Test("a configuration change yields the expected voters and learners", arguments: [
        Change(name: "adding a voter", change: .addVoter(Fixture.id(4)), voters: [1, 2, 3, 4], learners: []),
        Change(name: "adding a learner", change: .addLearner(Fixture.id(4)), voters: [1, 2, 3], learners: [4]),
        Change(name: "demoting a voter to learner", change: .addLearner(Fixture.id(3)), voters: [1, 2], learners: [3]),
        Change(name: "removing a voter", change: .remove(Fixture.id(2)), voters: [1, 3], learners: []),
    ])
    func applying(_ testCase: Change) throws {
        let result = try Configuration(voters: Fixture.ids([1, 2, 3])).applying(testCase.change)
        #expect(result == Configuration(voters: Fixture.ids(testCase.voters), learners: Fixture.ids(testCase.learners)))
    }

    @Test("changes that make no sense are refused", arguments: [
        ConfigurationChange.addVoter(Fixture.id(1)), .remove(Fixture.id(9)), .addLearner(Fixture.id(1)),
    ])
    func refused(_ change: ConfigurationChange) {
        let single = Configuration(voters: [Fixture.id(1)])
        #expect(throws: ConsensusError.self) { try single.applying(change) }
    }

    @Test("a configuration survives its encoding")
    func encoding() {
        let configuration = Configuration(voters: Fixture.ids([3, 1]), learners: Fixture.ids([5]))
        #expect(Configuration(encoded: configuration.encoded) == configuration && Configuration(encoded: [1, 0, 7]) == nil)
    }

    @Test("a change takes effect on the leader when appended, before it commits")
    func effectiveWhenAppended() throws {
        var cluster = ConfigurationTests.group()
        try cluster[1].proposeConfigurationChange(.addVoter(Fixture.id(4)))
        #expect(cluster[1].configuration.isVoter(Fixture.id(4)) && cluster[1].commitIndex < cluster[1].lastIndex)
    }

    @Test("a second change is refused while the first is uncommitted")
    func oneAtATime() throws {
        var cluster = ConfigurationTests.group()
        try cluster[1].proposeConfigurationChange(.addVoter(Fixture.id(4)))
        #expect(throws: ConsensusError.configurationChangeInProgress) {
            try cluster[1].proposeConfigurationChange(.addVoter(Fixture.id(5)))
        }
    }

    @Test("a leader refuses a change until it has committed an entry of its own term")
    func notBeforeOwnTermCommit() {
        var cluster = Cluster(count: 3, voters: [1, 2, 3])
        cluster[1].campaign()
        cluster.stabilize(dropping: { if case .appendResponse = $0.kind { true } else { false } })
        #expect(throws: ConsensusError.leaderNotReady) { try cluster[1].proposeConfigurationChange(.addVoter(Fixture.id(4))) }
    }

    @Test("an added voter receives the log and then counts toward commit")
    func addedVoterCounts() throws {
        var cluster = ConfigurationTests.group()
        try cluster[1].proposeConfigurationChange(.addVoter(Fixture.id(4)))
        cluster.stabilize()
        cluster.isolate([2, 3])
        let index = try cluster.propose(1, [1])
        // Two of four voters: no quorum, although 4 holds the entry.
        let withoutQuorum = cluster[1].commitIndex < index && cluster.storage[4].entries.last?.index == index
        cluster.heal()
        cluster.isolate([3])
        cluster.tickAll()
        cluster.stabilize()
        #expect(withoutQuorum && cluster[1].commitIndex >= index && cluster[4].configuration.isVoter(Fixture.id(4)))
    }

    @Test("a learner receives the log but never counts toward commit")
    func learnerDoesNotCount() throws {
        var cluster = ConfigurationTests.group()
        try cluster[1].proposeConfigurationChange(.addLearner(Fixture.id(4)))
        cluster.stabilize()
        cluster.isolate([2, 3])
        let index = try cluster.propose(1, [1])
        #expect(cluster.storage[4].entries.last?.index == index && cluster[1].commitIndex < index)
    }

    @Test("a removed leader keeps leading until the removal commits, then hands over and steps down")
    func removedLeaderStepsDown() throws {
        var cluster = ConfigurationTests.group()
        try cluster[1].proposeConfigurationChange(.remove(Fixture.id(1)))
        let stillLeading = cluster[1].role == .leader
        cluster.stabilize()
        for _ in 0..<3 {
            cluster.tickAll()
            cluster.stabilize()
        }
        let newLeader = cluster.leader
        #expect(stillLeading && cluster[1].role == .follower && newLeader != nil && newLeader != 1)
        #expect(!cluster[1].isPromotable && cluster.checker.violations.isEmpty)
    }

    @Test("a removed node that keeps campaigning does not disturb the group (thesis §4.2.3)")
    func removedNodeDoesNotDisrupt() throws {
        var cluster = ConfigurationTests.group()
        cluster.isolate([3])
        try cluster[1].proposeConfigurationChange(.remove(Fixture.id(3)))
        cluster.stabilize()
        let term = cluster[1].term
        cluster.heal()
        for _ in 0..<40 {
            cluster.tickAll()
            cluster.stabilize()
        }
        #expect(cluster[1].role == .leader && cluster[1].term == term && !cluster[1].configuration.contains(Fixture.id(3)))
    }

    @Test("a leader that demoted itself, crashed and restarted before the change spread still campaigns to commit it (thesis §4.2.2)")
    func demotedLeaderStillNeeded() throws {
        var cluster = Cluster(count: 2, voters: [1, 2])
        cluster.elect(2)
        cluster.isolate([1])
        try cluster[2].proposeConfigurationChange(.addLearner(Fixture.id(2)))
        cluster.stabilize()
        cluster.crash(2)
        cluster.restart(2)
        cluster.heal()
        for _ in 0..<60 {
            cluster.tickAll()
            cluster.stabilize()
        }
        let expected = Configuration(voters: [Fixture.id(1)], learners: [Fixture.id(2)])
        #expect(cluster.leader == 1 && cluster[1].configuration == expected && cluster[1].commitIndex == cluster[1].lastIndex)
    }
}
