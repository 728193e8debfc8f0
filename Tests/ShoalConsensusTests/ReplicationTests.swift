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
        var delivered = 0
        while !cluster.inFlight.isEmpty {
            delivered += 1
            guard delivered <= 10_000 else {
                Issue.record("messages still in flight after 10,000 deliveries: the catch-up never settles")
                break
            }
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

    @Test("a Ready must be fsynced when it holds entries, a term or a vote, but not when only the commit index moved")
    func mustSync() throws {
        var cluster = Cluster(count: 3, voters: [1, 2, 3])
        cluster.elect(1)
        var follower = cluster[2]
        let leaderTerm = follower.term
        // An append with an entry: the follower stores it durably before acknowledging.
        let last = follower.log.lastIndex
        let entry = Entry(term: leaderTerm, index: last + 1, kind: .normal, data: [7])
        follower.step(Fixture.message(1, 2, term: leaderTerm, .append(Append(prevIndex: last, prevTerm: leaderTerm, entries: [entry], commit: last))))
        let stored = follower.takeReady()
        #expect(stored.entries == [entry] && stored.mustSync)
        // Its acknowledgement promises the stored entry: it waits for the fsync.
        #expect(stored.messagesBeforePersisting.isEmpty && stored.messagesAfterPersisting.map(\.kind) == [
            .appendResponse(.accepted(match: last + 1))
        ])
        // A heartbeat that only moves the commit index: written, but no fsync is needed.
        follower.step(Fixture.message(1, 2, term: leaderTerm, .heartbeat(commit: last + 1, leaderTick: 0, readRound: 0)))
        let committed = follower.takeReady()
        #expect(committed.hardState?.commit == last + 1 && committed.entries.isEmpty && !committed.mustSync)
        // A vote request of a newer term: the new term and the vote are durable before the answer.
        var voter = Fixture.node(3, voters: [1, 2, 3], term: 2)
        voter.ticksSinceLeaderContact = .max  // no lease promised: it may vote
        voter.step(Fixture.message(1, 3, term: 3, .vote(lastIndex: 5, lastTerm: 2, transfer: false)))
        let voted = voter.takeReady()
        #expect(voted.hardState?.term == 3 && voted.hardState?.vote == Fixture.id(1) && voted.mustSync)
        #expect(voted.messagesBeforePersisting.isEmpty && voted.messagesAfterPersisting.map(\.kind) == [.voteResponse(granted: true)])
    }

    @Test("a leader's appends may go out before its own fsync (thesis §10.2.1), in the same Ready as the entry")
    func leaderSendsBeforePersisting() throws {
        var cluster = Cluster(count: 3, voters: [1, 2, 3])
        cluster.elect(1)
        var leader = cluster[1]
        _ = try leader.propose([1])
        let ready = leader.takeReady()
        #expect(ready.entries.count == 1 && ready.mustSync)
        let early = ready.messagesBeforePersisting
        #expect(Set(early.map(\.to)) == [Fixture.id(2), Fixture.id(3)] && early.allSatisfy { if case .append = $0.kind { true } else { false } })
        #expect(ready.messagesAfterPersisting.isEmpty)
    }

    @Test("the leader reports how many ticks ago it last heard from each follower")
    func lastContact() {
        var cluster = Cluster(count: 3, voters: [1, 2, 3])
        cluster.elect(1)
        #expect(cluster[1].followers[Fixture.id(2)]?.ticksSinceContact == 0)
        cluster.isolate([3])
        for _ in 0..<3 {
            cluster.tick(1)
            cluster.stabilize()
        }
        cluster.tick(1)
        // Node 2 answered every heartbeat but this tick's (not delivered yet); node 3 none for four ticks.
        #expect(cluster[1].followers[Fixture.id(2)]?.ticksSinceContact == 1)
        #expect(cluster[1].followers[Fixture.id(3)]?.ticksSinceContact == 4)
    }
}
