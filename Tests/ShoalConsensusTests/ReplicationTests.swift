import Testing

@testable import ShoalConsensus

@Suite("log replication")
struct ReplicationTests {
    /// The leader's log of Raft Figure 7 (term 8 once it is elected).
    static let figure7Leader: [Term] = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6]

    struct Follower: CustomTestStringConvertible, Sendable {
        var name: String
        var terms: [Term]
        var testDescription: String { "Figure 7 follower (\(name))" }
    }

    @Test("a follower's log converges to the leader's whatever it lacks or holds extra (Raft §5.3, Figure 7)", arguments: [
        Follower(name: "a", terms: [1, 1, 1, 4, 4, 5, 5, 6, 6]),
        Follower(name: "b", terms: [1, 1, 1, 4]),
        Follower(name: "c", terms: [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6]),
        Follower(name: "d", terms: [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7]),
        Follower(name: "e", terms: [1, 1, 1, 4, 4, 4, 4]),
        Follower(name: "f", terms: [1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3]),
    ])
    func figure7(_ follower: Follower) {
        var cluster = Cluster(count: 3, voters: [1, 2, 3], persisted: [
            1: Fixture.persisted(voters: [1, 2, 3], term: 7, terms: ReplicationTests.figure7Leader),
            2: Fixture.persisted(voters: [1, 2, 3], term: 7, terms: follower.terms),
            3: Fixture.persisted(voters: [1, 2, 3], term: 7, terms: ReplicationTests.figure7Leader),
        ])
        cluster.isolate([2])
        cluster.elect(1)
        cluster.heal()
        cluster.tickAll()
        cluster.stabilize()
        let leaderLog = cluster.storage[1].entries.map { [$0.term, $0.index] }
        #expect(cluster[1].term == 8 && cluster.storage[2].entries.map { [$0.term, $0.index] } == leaderLog)
        #expect(cluster.checker.violations.isEmpty)
    }

    struct Hint: CustomTestStringConvertible, Sendable {
        var followerTerms: [Term]
        var prevIndex: LogIndex
        var prevTerm: Term
        var hintIndex: LogIndex
        var hintTerm: Term
        var testDescription: String { "follower \(followerTerms), append after \(prevIndex)/\(prevTerm) → hint \(hintIndex)/\(hintTerm)" }
    }

    @Test("a rejection names the follower's last entry the leader may share (fast backtracking)", arguments: [
        Hint(followerTerms: [1, 1, 1], prevIndex: 7, prevTerm: 3, hintIndex: 3, hintTerm: 1),
        Hint(followerTerms: [1, 2, 2, 2, 2], prevIndex: 5, prevTerm: 1, hintIndex: 1, hintTerm: 1),
        Hint(followerTerms: [1, 3, 3, 3], prevIndex: 4, prevTerm: 2, hintIndex: 1, hintTerm: 1),
        Hint(followerTerms: [2, 2], prevIndex: 2, prevTerm: 1, hintIndex: 0, hintTerm: 0),
    ])
    func rejectionHint(_ hint: Hint) {
        var node = Fixture.node(2, voters: [1, 2, 3], term: 4, terms: hint.followerTerms)
        node.step(Fixture.message(1, 2, term: 4, .append(Append(prevIndex: hint.prevIndex, prevTerm: hint.prevTerm, entries: [], commit: 0))))
        #expect(node.drainMessages().map(\.kind) == [
            .appendResponse(.rejected(index: hint.prevIndex, hintIndex: hint.hintIndex, hintTerm: hint.hintTerm))
        ])
    }

    @Test("a leader skips a whole conflicting term per round trip")
    func fastBacktracking() {
        // Figure 7 (f): eight entries of terms 2 and 3 to skip, in at most three rejections.
        var cluster = Cluster(count: 3, voters: [1, 2, 3], persisted: [
            1: Fixture.persisted(voters: [1, 2, 3], term: 7, terms: ReplicationTests.figure7Leader),
            2: Fixture.persisted(voters: [1, 2, 3], term: 7, terms: [1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3]),
            3: Fixture.persisted(voters: [1, 2, 3], term: 7, terms: ReplicationTests.figure7Leader),
        ])
        cluster.isolate([2])
        cluster.elect(1)
        cluster.heal()
        var rejections = 0
        cluster.tick(1)
        while !cluster.inFlight.isEmpty {
            if case .appendResponse(.rejected) = cluster.inFlight[0].kind, cluster.inFlight[0].from == Fixture.id(2) { rejections += 1 }
            cluster.deliver(at: 0)
        }
        #expect(rejections <= 3 && cluster.storage[2].entries.count == 11)
    }

    @Test("proposals made between two Readys go to each follower in one append (batching)")
    func batching() throws {
        var cluster = Cluster(count: 3, voters: [1, 2, 3])
        cluster.elect(1)
        for byte in 0..<5 { _ = try cluster[1].propose([UInt8(byte)]) }
        let appends = cluster[1].drainMessages().compactMap { message -> Int? in
            if case .append(let append) = message.kind { append.entries.count } else { nil }
        }
        #expect(appends == [5, 5])
    }

    @Test("a leader streams appends without waiting for answers, up to the in-flight bound (pipelining)")
    func pipelining() throws {
        var cluster = Cluster(count: 2, voters: [1, 2], config: Fixture.config(maxInflight: 3))
        cluster.elect(1)
        var appends = 0
        for byte in 0..<6 {
            _ = try cluster[1].propose([UInt8(byte)])
            appends += cluster[1].drainMessages().filter { if case .append = $0.kind { true } else { false } }.count
        }
        #expect(appends == 3)
    }

    @Test("an entry commits once a quorum of voters holds it, not before", arguments: [(1, false), (2, true)])
    func quorumCommit(acks: Int, commits: Bool) throws {
        var cluster = Cluster(count: 5, voters: [1, 2, 3, 4, 5])
        cluster.elect(1)
        cluster.isolate(Array((2 + acks)...5))
        let index = try cluster.propose(1, [42])
        #expect((cluster[1].commitIndex >= index) == commits)
    }

    @Test("a follower commits no further than the entries it holds from the leader")
    func followerCommitBounded() {
        var node = Fixture.node(2, voters: [1, 2, 3], term: 2, terms: [1, 1])
        node.step(Fixture.message(1, 2, term: 2, .append(Append(prevIndex: 1, prevTerm: 1, entries: [], commit: 5))))
        #expect(node.commitIndex == 1)
    }
}
