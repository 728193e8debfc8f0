import Testing

@testable import ShoalConsensus

/// Thesis §6.4 (read index) and §6.4.1 (lease).
@Suite("reads")
struct ReadTests {
    /// A three-node group led by 1, with one acknowledged heartbeat round.
    static func steady(leaseTicks: Int = 8) -> Cluster {
        var cluster = Cluster(count: 3, voters: [1, 2, 3], config: Fixture.config(leaseTicks: leaseTicks))
        cluster.elect(1)
        cluster.tickAll()
        cluster.stabilize()
        return cluster
    }

    @Test("a leader within its lease answers a read at once, without a round trip")
    func leaseRead() throws {
        var cluster = ReadTests.steady()
        try cluster[1].readIndex(context: [7])
        let ready = cluster[1].takeReady()
        #expect(ready.readStates == [ReadState(index: cluster[1].commitIndex, context: [7])] && ready.messages.isEmpty)
    }

    @Test("without a lease a read waits for a quorum to answer a heartbeat round")
    func readIndexRound() throws {
        var cluster = ReadTests.steady(leaseTicks: 0)
        try cluster[1].readIndex(context: [7])
        cluster.process(1)
        let before = cluster.readStates[1]
        cluster.stabilize()
        #expect(before.isEmpty && cluster.readStates[1] == [ReadState(index: cluster[1].commitIndex, context: [7])])
    }

    @Test("a leader cut off from its quorum loses its lease before any other leader can be elected")
    func leaseExpires() throws {
        var cluster = ReadTests.steady()
        cluster.isolate([1])
        for _ in 0..<cluster.config.leaseTicks { cluster.tick(1) }
        let lost = !cluster[1].holdsLease
        try cluster[1].readIndex(context: [7])
        cluster.stabilize()
        #expect(lost && cluster.readStates[1].isEmpty)
    }

    @Test("the lease runs shorter than the time followers refuse to vote after hearing the leader")
    func leaseShorterThanElection() {
        var cluster = ReadTests.steady()
        cluster.isolate([1])
        var leaseEnded: Int?
        for tick in 1...30 {
            cluster.tickAll()
            cluster.stabilize()
            if leaseEnded == nil, !cluster[1].holdsLease { leaseEnded = tick }
            if [2, 3].contains(where: { cluster[$0].role == .leader }) {
                #expect(leaseEnded != nil && leaseEnded! < tick)
                return
            }
        }
        Issue.record("no new leader was elected")
    }

    @Test("a new leader answers reads only after committing an entry of its own term (thesis §6.4 step 1)")
    func waitsForOwnTermCommit() throws {
        var cluster = Cluster(count: 3, voters: [1, 2, 3], config: Fixture.config(leaseTicks: 0))
        for n in 2...3 { cluster.nodes[n]!.ticksSinceLeaderContact = .max }
        cluster[1].campaign()
        // Deliver the votes but not the no-op's acknowledgements.
        cluster.stabilize(dropping: { if case .appendResponse = $0.kind { true } else { false } })
        try cluster[1].readIndex(context: [9])
        cluster.stabilize(dropping: { if case .appendResponse = $0.kind { true } else { false } })
        let early = cluster.readStates[1]
        cluster.tickAll()
        cluster.stabilize()
        #expect(cluster[1].role == .leader && early.isEmpty && cluster.readStates[1].map(\.context) == [[9]])
    }

    @Test("a follower's read goes to the leader and comes back with the leader's commit index")
    func followerRead() throws {
        var cluster = ReadTests.steady()
        try cluster[2].readIndex(context: [3])
        cluster.stabilize()
        #expect(cluster.readStates[2] == [ReadState(index: cluster[1].commitIndex, context: [3])])
    }

    @Test("a follower that knows no leader refuses a read")
    func noLeader() {
        var node = Fixture.node(2, voters: [1, 2, 3])
        #expect(throws: ConsensusError.notLeader(leader: nil)) { try node.readIndex(context: []) }
    }

    @Test("a node cut off from the leader alone is not elected while the others still hear the leader (thesis §4.2.3)")
    func cutOffNodeNotElected() {
        var cluster = ReadTests.steady()
        cluster.cut = [[1, 3], [3, 1]]
        for _ in 0..<40 {
            cluster.tickAll()
            cluster.stabilize()
        }
        #expect(cluster[1].role == .leader && cluster[1].term == 1 && cluster[3].role != .leader)
    }

    @Test("lease reads stay linearizable while a node that lost the leader campaigns and others write")
    func leaseReadsLinearizable() throws {
        var cluster = ReadTests.steady()
        cluster.cut = [[1, 3], [3, 1]]
        for round in 0..<40 {
            cluster.tickAll()
            cluster.stabilize()
            // Should a new leader appear anyway, the old one hears nothing more and the new one
            // writes: only the old one's lease stands between it and a stale read.
            if let leader = cluster.leader, leader != 1 {
                cluster.isolate([1])
                _ = try? cluster.propose(leader, [UInt8(round)])
            }
            if cluster[1].holdsLease {
                let context = [UInt8(round), 0xee]
                cluster.checker.readRequested(context: context, nodes: cluster.nodes)
                try cluster[1].readIndex(context: context)
                cluster.process(1)
            }
        }
        #expect(cluster.checker.violations.isEmpty && cluster.readStates[1].count > 10)
    }
}

