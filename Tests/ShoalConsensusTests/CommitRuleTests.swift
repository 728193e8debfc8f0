import Testing

@testable import ShoalConsensus

/// Raft §5.4.2 and Figure 8: a leader never commits an entry of an earlier term by counting
/// replicas; such entries commit only together with an entry of its own term.
@Suite("commit rules")
struct CommitRuleTests {
    /// Figure 8 (c): S1 leads term 4 and has copied its term-2 entry at index 2 to S2 and S3
    /// (a majority), but not yet its own term-4 no-op. S5 holds a term-3 entry at index 2.
    static func figure8c() -> Cluster {
        let voters = [1, 2, 3, 4, 5]
        var cluster = Cluster(count: 5, voters: voters, config: Fixture.config(maxEntries: 1), persisted: [
            1: Fixture.persisted(voters: voters, term: 3, terms: [1, 2], commit: 1),
            2: Fixture.persisted(voters: voters, term: 3, terms: [1], commit: 1),
            3: Fixture.persisted(voters: voters, term: 3, terms: [1], commit: 1),
            4: Fixture.persisted(voters: voters, term: 3, terms: [1], commit: 1),
            5: Fixture.persisted(voters: voters, term: 3, terms: [1, 3], commit: 1),
        ])
        cluster.isolate([5])
        for n in 2...5 { cluster.nodes[n]!.ticksSinceLeaderContact = .max }
        cluster[1].campaign()
        // Everything flows except the no-op at index 3 once a follower holds index 2, and S4
        // gets nothing; the first append (after index 2) is what the followers reject.
        var holdsTwo: Set<ReplicaID> = []
        cluster.stabilize(dropping: { message in
            if case .appendResponse(.accepted(match: 2)) = message.kind { holdsTwo.insert(message.from) }
            guard case .append(let append) = message.kind else { return false }
            return message.to == Fixture.id(4) || (holdsTwo.contains(message.to) && append.entries.contains { $0.index == 3 })
        })
        return cluster
    }

    @Test("an entry of an earlier term is not committed by a majority of replicas (Figure 8 c)")
    func figure8NoCommit() {
        let cluster = CommitRuleTests.figure8c()
        let replicated = [1, 2, 3].allSatisfy { cluster.storage[$0].entries.contains { $0.index == 2 && $0.term == 2 } }
        #expect(cluster[1].role == .leader && cluster[1].term == 4 && replicated && cluster[1].commitIndex == 1)
    }

    @Test("a leader of a later term may then overwrite that entry without losing anything committed (Figure 8 d)")
    func figure8Overwrite() {
        var cluster = CommitRuleTests.figure8c()
        cluster.crash(1)
        cluster.heal()
        // The first campaign only teaches S5 that term 4 exists; the second is for term 5.
        cluster.elect(5)
        cluster.elect(5)
        cluster.tickAll()
        cluster.stabilize()
        let overwritten = [2, 3].allSatisfy { n in cluster.storage[n].entries.first { $0.index == 2 }?.term == 3 }
        #expect(cluster[5].role == .leader && overwritten && cluster.checker.violations.isEmpty)
    }

    @Test("once the leader's own-term entry is on a majority, the earlier entry commits with it and S5 cannot win (Figure 8 e)")
    func figure8Commit() {
        var cluster = CommitRuleTests.figure8c()
        cluster.heal()
        cluster.isolate([5])
        cluster.tickAll()
        cluster.stabilize()
        let committed = cluster[1].commitIndex
        cluster.crash(1)
        cluster.heal()
        cluster.elect(5)
        cluster.elect(5)
        #expect(committed >= 3 && cluster[5].role != .leader && cluster.checker.violations.isEmpty)
    }
}
