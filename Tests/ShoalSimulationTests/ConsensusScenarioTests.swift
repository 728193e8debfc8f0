import ShoalConsensus
import ShoalMembership
import ShoalRandom
import ShoalSimulation
import ShoalTestSupport
import Testing

/// Membership and Raft together on each simulated node, one virtual clock and seeded network
/// (issue: leadership, simulation). Every run checks election safety, log matching, leader
/// completeness and state machine safety after every step; a failure names its seed.
@Suite("consensus beside membership in a simulated cluster", .serialized, .offCooperativePool)
struct ConsensusScenarioTests {
    static func raftConfig() -> RaftConfig {
        var config = RaftConfig()
        config.electionTicks = 12
        config.heartbeatTicks = 2
        config.leaseTicks = 10
        return config
    }

    func cluster(_ count: Int, seed: UInt64, founders: [Int] = [0, 1, 2], network: NetworkConditions = NetworkConditions(), duplicate: Double = 0)
        -> Simulation
    {
        var consensus = ConsensusOptions(founders: founders, raft: Self.raftConfig())
        consensus.duplicateProbability = duplicate
        let simulation = Simulation(options: SimulationOptions(nodeCount: count, seed: seed, network: network, consensus: consensus))
        simulation.startAll()
        return simulation
    }

    func leader(_ simulation: Simulation, within limit: Duration) -> Int? {
        simulation.run(until: { $0.raftLeaders.count == 1 }, checkEvery: .milliseconds(25), limit: limit)
        return simulation.raftLeaders.count == 1 ? simulation.raftLeaders[0] : nil
    }

    @Test("three founders elect one leader, commit proposals, and the invariants hold")
    func elects() throws {
        let simulation = cluster(3, seed: 1)
        let elected = leader(simulation, within: .seconds(5))
        let leader = try #require(elected, "no leader within 5 s")
        simulation.run(for: .seconds(5))
        #expect(simulation.raftLeaders == [leader])
        #expect(simulation.consensusRecord.entriesApplied > 20)
        #expect(simulation.violations.isEmpty, "\(simulation.violations.prefix(3))")
    }

    @Test("a crashed leader is replaced within an election timeout or two, and after its grace period by another voter")
    func crashedLeaderReplaced() throws {
        let simulation = cluster(5, seed: 7)
        // Five healthy members: the leader makes all five voters.
        simulation.run(until: { sim in sim.raftLeaders.count == 1 && sim.voters(seenBy: sim.raftLeaders[0]).count == 5 }, checkEvery: .milliseconds(100), limit: .seconds(60))
        let first = try #require(simulation.raftLeaders.first)
        #expect(simulation.voters(seenBy: first).count == 5, "the leader did not grow the group to five voters")
        let before = simulation.now
        simulation.crash(first)
        let replacement = leader(simulation, within: .seconds(3))
        let second = try #require(replacement, "no new leader within 3 s of the crash")
        #expect(second != first)
        #expect(simulation.now - before < .seconds(2), "the new leader took \(simulation.now - before)")
        // Four healthy: three voters, none of them the dead node, once its grace period is over.
        simulation.run(
            until: { sim in
                guard let l = sim.raftLeaders.first else { return false }
                let voters = sim.voters(seenBy: l)
                return voters.count == 3 && !voters.contains(first)
            }, checkEvery: .milliseconds(250), limit: .seconds(60))
        let now = try #require(simulation.raftLeaders.first)
        #expect(!simulation.voters(seenBy: now).contains(first), "the dead voter was never removed")
        #expect(simulation.violations.isEmpty, "\(simulation.violations.prefix(3))")
    }

    @Test("an isolated leader steps down within its election timeout; the rest elect; the healed node follows")
    func isolatedLeader() throws {
        let simulation = cluster(3, seed: 11)
        let found = leader(simulation, within: .seconds(5))
        let first = try #require(found, "no leader within 5 s")
        simulation.run(for: .seconds(2))
        let others = (0..<3).filter { $0 != first }
        simulation.partition([[first], others])
        simulation.run(for: .milliseconds(12 * 25 + 100))  // check-quorum: one election timeout, plus a heartbeat
        #expect(simulation.raft(of: first)?.role != .leader, "the isolated leader still leads after its election timeout")
        simulation.run(until: { sim in others.contains { sim.raft(of: $0)?.role == .leader } }, checkEvery: .milliseconds(25), limit: .seconds(3))
        let elected = others.first { simulation.raft(of: $0)?.role == .leader }
        let second = try #require(elected, "the majority elected no leader")
        let term = simulation.raft(of: second)!.term
        simulation.heal()
        simulation.run(for: .seconds(3))
        #expect(simulation.raftLeaders == [second], "the healed node disrupted the new leader")
        #expect(simulation.raft(of: second)!.term == term)
        #expect(simulation.violations.isEmpty, "\(simulation.violations.prefix(3))")
    }

    @Test("a follower cut off and then healed does not disrupt the leader (pre-vote)")
    func rejoiningFollower() throws {
        let simulation = cluster(3, seed: 13)
        let found = leader(simulation, within: .seconds(5))
        let first = try #require(found, "no leader within 5 s")
        let term = simulation.raft(of: first)!.term
        let follower = (0..<3).first { $0 != first }!
        simulation.partition([[follower], (0..<3).filter { $0 != follower }])
        simulation.run(for: .seconds(5))
        #expect(simulation.raft(of: follower)!.term == term, "the cut-off follower raised its term without pre-vote's permission")
        simulation.heal()
        simulation.run(for: .seconds(3))
        #expect(simulation.raftLeaders == [first])
        #expect(simulation.raft(of: first)!.term == term)
        #expect(simulation.violations.isEmpty, "\(simulation.violations.prefix(3))")
    }

    @Test("loss, duplication, reordering, partitions, pauses, crashes and restarts at random points keep every invariant", arguments: (1...8).map { UInt64(100 + $0) })
    func randomFaults(seed: UInt64) {
        let simulation = cluster(5, seed: seed, network: NetworkConditions(lossProbability: 0.05, baseDelay: .milliseconds(1), jitter: .milliseconds(20)), duplicate: 0.05)
        var random = SeededGenerator(seed: seed)
        for _ in 0..<20 {
            simulation.run(for: .milliseconds(Int64(200 + random.next() % 1_500)))
            let node = Int(random.next() % 5)
            switch random.next() % 4 {
            case 0 where simulation.membership(of: node) != nil:
                simulation.crash(node)
                simulation.run(for: .milliseconds(Int64(random.next() % 1_000)))
                simulation.restart(node, joiningThrough: [(node + 1) % 5])
            case 1:
                simulation.partition([[node, (node + 1) % 5], [(node + 2) % 5, (node + 3) % 5, (node + 4) % 5]])
                simulation.run(for: .milliseconds(Int64(random.next() % 2_000)))
                simulation.heal()
            case 2 where simulation.membership(of: node) != nil:
                simulation.pause(node)
                simulation.run(for: .milliseconds(Int64(random.next() % 1_500)))
                simulation.resume(node)
            default:
                break
            }
        }
        simulation.heal()
        simulation.run(for: .seconds(10))
        #expect(simulation.raftLeaders.count == 1, "seed \(seed): no single leader after the faults (\(simulation.raftLeaders))")
        #expect(simulation.consensusRecord.entriesApplied > 50, "seed \(seed): too little was committed to check anything")
        #expect(simulation.violations.isEmpty, "\(simulation.violations.prefix(3))")
    }
}
