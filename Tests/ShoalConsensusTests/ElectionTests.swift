import Testing

@testable import ShoalConsensus

@Suite("elections")
struct ElectionTests {
    @Test("a single voter elects itself and commits its no-op at once")
    func singleVoter() {
        var node = Fixture.node(1, voters: [1])
        node.campaign()
        let ready = node.takeReady()
        #expect(node.role == .leader && ready.committedEntries.map(\.kind) == [.noOp] && ready.entries.count == 1)
    }

    @Test("one candidate wins and every other voter follows it", arguments: [3, 5])
    func singleWinner(size: Int) {
        var cluster = Cluster(count: size, voters: Array(1...size))
        cluster.elect(2)
        let leaders = (1...size).filter { cluster[$0].role == .leader }
        #expect(leaders == [2] && (1...size).allSatisfy { cluster[$0].leader == Fixture.id(2) && cluster[$0].term == 1 })
    }

    @Test("election timeouts are drawn from [electionTicks, 2·electionTicks) and differ between nodes")
    func randomisedTimeouts() {
        let timeouts = (1...40).map { Fixture.node($0, voters: [1, 2, 3]).randomizedElectionTimeout }
        #expect(timeouts.allSatisfy { (10..<20).contains($0) } && Set(timeouts).count >= 5)
    }

    @Test("a follower campaigns once its election timeout passes without a leader")
    func timeoutStartsElection() {
        var node = Fixture.node(1, voters: [1, 2, 3])
        node.tickPastElectionTimeout()
        let sent = node.drainMessages()
        #expect(node.role == .preCandidate && sent.count == 2 && sent.allSatisfy { $0.term == 1 })
    }

    @Test("a split vote resolves in a later term with one leader")
    func splitVote() {
        var cluster = Cluster(count: 4, voters: [1, 2, 3, 4], config: Fixture.config(preVote: false))
        cluster[1].campaign()
        cluster[2].campaign()
        cluster.process(1)
        cluster.process(2)
        // 3 hears 1 first and 4 hears 2 first: two votes each, no quorum of three.
        let order = cluster.inFlight.sorted { a, b in
            let rank = { (m: Message) in m.to == Fixture.id(3) ? (m.from == Fixture.id(1) ? 0 : 1) : (m.from == Fixture.id(2) ? 0 : 1) }
            return rank(a) < rank(b)
        }
        cluster.inFlight = order
        cluster.stabilize()
        let split = (1...4).allSatisfy { cluster[$0].role != .leader }
        for _ in 0..<60 where cluster.leader == nil {
            cluster.tickAll()
            cluster.stabilize()
        }
        let leaders = (1...4).filter { cluster[$0].role == .leader }
        #expect(split && leaders.count == 1 && cluster[leaders[0]].term > 1)
    }

    @Test("a node votes at most once per term")
    func oneVotePerTerm() {
        var node = Fixture.node(1, voters: [1, 2, 3], config: Fixture.config(preVote: false, checkQuorum: false))
        node.step(Fixture.message(2, 1, term: 1, .vote(lastIndex: 0, lastTerm: 0, transfer: false)))
        node.step(Fixture.message(3, 1, term: 1, .vote(lastIndex: 0, lastTerm: 0, transfer: false)))
        #expect(node.drainMessages().map(\.kind) == [.voteResponse(granted: true), .voteResponse(granted: false)])
    }

    struct UpToDate: CustomTestStringConvertible, Sendable {
        var lastIndex: LogIndex
        var lastTerm: Term
        var granted: Bool
        var testDescription: String { "candidate last \(lastIndex)/\(lastTerm) → \(granted ? "granted" : "rejected")" }
    }

    /// Raft §5.4.1 against a voter whose log is terms [1, 1, 2].
    @Test("a vote is granted only to a candidate whose log is at least as up to date", arguments: [
        UpToDate(lastIndex: 3, lastTerm: 2, granted: true),
        UpToDate(lastIndex: 9, lastTerm: 2, granted: true),
        UpToDate(lastIndex: 1, lastTerm: 3, granted: true),
        UpToDate(lastIndex: 2, lastTerm: 2, granted: false),
        UpToDate(lastIndex: 9, lastTerm: 1, granted: false),
    ])
    func upToDate(_ testCase: UpToDate) {
        var node = Fixture.node(1, voters: [1, 2, 3], term: 2, terms: [1, 1, 2], config: Fixture.config(preVote: false, checkQuorum: false))
        node.step(Fixture.message(2, 1, term: 3, .vote(lastIndex: testCase.lastIndex, lastTerm: testCase.lastTerm, transfer: false)))
        #expect(node.drainMessages().map(\.kind) == [.voteResponse(granted: testCase.granted)])
    }

    @Test("a pre-candidate that cannot win keeps its term and vote")
    func preVoteChangesNothing() {
        var cluster = Cluster(count: 3, voters: [1, 2, 3])
        cluster.elect(2)
        cluster.isolate([1])
        for _ in 0..<40 {
            cluster.tick(1)
            cluster.stabilize()
        }
        #expect(cluster.storage[1].hardState.term == 1 && cluster[1].role == .preCandidate && cluster[2].term == 1)
    }

    struct Rejoin: CustomTestStringConvertible, Sendable {
        var preVote: Bool
        var disrupts: Bool
        var testDescription: String { preVote ? "with pre-vote the leader keeps its term" : "without pre-vote the leader is deposed" }
    }

    @Test("a partitioned node that rejoins does not disrupt a stable leader thanks to pre-vote (thesis §9.6)", arguments: [
        Rejoin(preVote: true, disrupts: false), Rejoin(preVote: false, disrupts: true),
    ])
    func preVoteProtectsLeader(_ testCase: Rejoin) {
        var cluster = Cluster(count: 3, voters: [1, 2, 3], config: Fixture.config(preVote: testCase.preVote))
        cluster.elect(1)
        cluster.isolate([3])
        for _ in 0..<50 {
            cluster.tickAll()
            cluster.stabilize()
        }
        cluster.heal()
        for _ in 0..<3 {
            cluster.tickAll()
            cluster.stabilize()
        }
        let deposed = cluster[1].role != .leader || cluster[1].term != 1
        #expect(deposed == testCase.disrupts)
    }

    @Test("a follower that heard from its leader ignores vote requests (thesis §4.2.3)")
    func leaderStickiness() {
        var cluster = Cluster(count: 3, voters: [1, 2, 3], config: Fixture.config(preVote: false))
        cluster.elect(1)
        cluster[2].step(Fixture.message(3, 2, term: 5, .vote(lastIndex: 10, lastTerm: 5, transfer: false)))
        #expect(cluster[2].term == 1 && cluster[2].drainMessages().isEmpty)
    }

    struct QuorumCheck: CustomTestStringConvertible, Sendable {
        var checkQuorum: Bool
        var stepsDown: Bool
        var testDescription: String { checkQuorum ? "with check-quorum it steps down" : "without check-quorum it stays leader" }
    }

    @Test("a leader that hears from no quorum within an election timeout steps down", arguments: [
        QuorumCheck(checkQuorum: true, stepsDown: true), QuorumCheck(checkQuorum: false, stepsDown: false),
    ])
    func checkQuorum(_ testCase: QuorumCheck) {
        var cluster = Cluster(count: 3, voters: [1, 2, 3], config: Fixture.config(checkQuorum: testCase.checkQuorum))
        cluster.elect(1)
        cluster.isolate([1])
        for _ in 0..<(2 * cluster.config.electionTicks) { cluster.tick(1) }
        #expect((cluster[1].role != .leader) == testCase.stepsDown)
    }

    @Test("a message from an older term changes nothing and tells the sender the current term")
    func olderTermRejected() {
        var node = Fixture.node(1, voters: [1, 2, 3], term: 5, terms: [1, 5])
        node.step(Fixture.message(2, 1, term: 3, .append(Append(prevIndex: 2, prevTerm: 5, entries: [Entry(term: 3, index: 3)], commit: 3))))
        node.step(Fixture.message(3, 1, term: 4, .vote(lastIndex: 9, lastTerm: 4, transfer: false)))
        let sent = node.drainMessages()
        #expect(node.lastIndex == 2 && node.commitIndex == 0 && node.vote == nil && node.leader == nil)
        #expect(sent.count == 1 && sent[0].to == Fixture.id(2) && sent[0].term == 5)
    }

    @Test("a stale leader steps down when a follower answers with a newer term")
    func staleLeaderStepsDown() {
        var cluster = Cluster(count: 3, voters: [1, 2, 3])
        cluster.elect(1)
        cluster[1].step(Fixture.message(2, 1, term: 7, .heartbeatResponse(leaderTick: 0, readRound: 0)))
        #expect(cluster[1].role == .follower && cluster[1].term == 7)
    }

    @Test("a learner never campaigns")
    func learnerNeverCampaigns() {
        var state = Fixture.persisted(voters: [1, 2], term: 0)
        state.snapshot.metadata.configuration = Configuration(voters: Fixture.ids([1, 2]), learners: [Fixture.id(3)])
        var learner = Raft(id: Fixture.id(3), config: Fixture.config(), persisted: state, randomSeed: 3)
        learner.tickPastElectionTimeout()
        learner.campaign()
        #expect(learner.role == .follower && learner.drainMessages().isEmpty)
    }

    @Test("votes from nodes that are not voters do not count toward winning")
    func nonVoterVotesIgnored() {
        var node = Fixture.node(1, voters: [1, 2, 3], config: Fixture.config(preVote: false))
        node.campaign()
        node.step(Fixture.message(4, 1, term: 1, .voteResponse(granted: true)))
        node.step(Fixture.message(5, 1, term: 1, .voteResponse(granted: true)))
        let before = node.role
        node.step(Fixture.message(2, 1, term: 1, .voteResponse(granted: true)))
        #expect(before == .candidate && node.role == .leader)
    }
}
