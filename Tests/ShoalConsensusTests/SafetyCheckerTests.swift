import Testing

@testable import ShoalConsensus

/// The harness is only worth its schedules if it notices a broken run.
@Suite("safety checker")
struct SafetyCheckerTests {
    @Test("two leaders in one term are an election safety violation")
    func electionSafety() {
        var checker = SafetyChecker()
        checker.elected(node: 1, term: 3, nodes: [])
        checker.elected(node: 2, term: 3, nodes: [])
        #expect(checker.violations.count == 1 && checker.violations[0].hasPrefix("election safety"))
    }

    @Test("two different entries at one index and term are a log matching violation")
    func logMatching() {
        var checker = SafetyChecker()
        let state = PersistedState.bootstrap(voters: [])
        checker.stored(node: 1, entries: [Entry(term: 1, index: 1, data: [1])], in: state)
        checker.stored(node: 2, entries: [Entry(term: 1, index: 1, data: [2])], in: state)
        #expect(checker.violations.count == 1 && checker.violations[0].hasPrefix("log matching"))
    }

    @Test("two nodes applying different entries at one index are a state machine safety violation")
    func stateMachineSafety() {
        var checker = SafetyChecker()
        var first = Machine()
        first.apply(Entry(term: 1, index: 1, data: [1]))
        var second = Machine()
        second.apply(Entry(term: 2, index: 1, data: [1]))
        checker.applied(node: 1, entry: Entry(term: 1, index: 1, data: [1]), machine: first, term: 1, nodes: [])
        checker.applied(node: 2, entry: Entry(term: 2, index: 1, data: [1]), machine: second, term: 2, nodes: [])
        #expect(checker.violations.count == 1 && checker.violations[0].hasPrefix("state machine safety"))
    }

    @Test("a leader elected without a committed entry is a leader completeness violation")
    func leaderCompleteness() {
        var checker = SafetyChecker()
        var machine = Machine()
        machine.apply(Entry(term: 1, index: 1, data: [1]))
        checker.applied(node: 1, entry: Entry(term: 1, index: 1, data: [1]), machine: machine, term: 1, nodes: [])
        var leader = Fixture.node(2, voters: [2], term: 5)
        leader.campaign()
        checker.elected(node: 2, term: leader.term, nodes: [nil, nil, leader])
        #expect(checker.violations.count == 1 && checker.violations[0].hasPrefix("leader completeness"))
    }

    @Test("a read index below what was committed when the read was asked is a linearizability violation")
    func staleRead() {
        var checker = SafetyChecker()
        var node = Fixture.node(1, voters: [1])
        node.campaign()
        _ = node.takeReady()
        checker.readRequested(context: [1], nodes: [nil, node])
        checker.readAnswered(node: 1, ReadState(index: 0, context: [1]))
        #expect(checker.violations.count == 1 && checker.violations[0].hasPrefix("linearizable read"))
    }
}
