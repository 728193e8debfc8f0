import Testing

@testable import ShoalConsensus

/// Thesis §3.10 leadership transfer.
@Suite("leadership transfer")
struct TransferTests {
    @Test("a transfer to an up-to-date voter makes it leader of the next term")
    func transfer() throws {
        var cluster = Cluster(count: 3, voters: [1, 2, 3])
        cluster.elect(1)
        try cluster[1].transferLeadership(to: Fixture.id(3))
        cluster.stabilize()
        #expect(cluster.leader == 3 && cluster[3].term == 2 && cluster[1].role == .follower)
    }

    @Test("a lagging target is first brought up to date, then told to campaign")
    func laggingTarget() throws {
        var cluster = Cluster(count: 3, voters: [1, 2, 3])
        cluster.elect(1)
        cluster.isolate([3])
        for byte in 0..<5 { try cluster.propose(1, [UInt8(byte)]) }
        cluster.heal()
        try cluster[1].transferLeadership(to: Fixture.id(3))
        var appendsBeforeTimeoutNow = 0
        var toldToCampaign = false
        cluster.stabilize(dropping: { message in
            if message.to == Fixture.id(3), case .timeoutNow = message.kind { toldToCampaign = true }
            if message.to == Fixture.id(3), case .append = message.kind, !toldToCampaign { appendsBeforeTimeoutNow += 1 }
            return false
        })
        #expect(appendsBeforeTimeoutNow > 0 && toldToCampaign && cluster.leader == 3 && cluster[3].lastIndex >= 7)
    }

    @Test("proposals are refused while a transfer is under way")
    func proposalsRefused() throws {
        var cluster = Cluster(count: 3, voters: [1, 2, 3])
        cluster.elect(1)
        cluster.isolate([3])
        try cluster[1].transferLeadership(to: Fixture.id(3))
        #expect(throws: ConsensusError.transferInProgress) { try cluster[1].propose([1]) }
    }

    @Test("a transfer to an unreachable voter is abandoned after an election timeout")
    func abandoned() throws {
        var cluster = Cluster(count: 3, voters: [1, 2, 3])
        cluster.elect(1)
        cluster.isolate([3])
        try cluster[1].transferLeadership(to: Fixture.id(3))
        for _ in 0..<cluster.config.electionTicks {
            cluster.tickAll()
            cluster.stabilize()
        }
        #expect(cluster[1].role == .leader && (try? cluster[1].propose([1])) != nil)
    }

    @Test("a transfer target that is not a voter is refused")
    func learnerTarget() {
        var cluster = Cluster(count: 3, voters: [1, 2, 3])
        cluster.elect(1)
        #expect(throws: ConsensusError.notAVoter(Fixture.id(4))) { try cluster[1].transferLeadership(to: Fixture.id(4)) }
    }
}
