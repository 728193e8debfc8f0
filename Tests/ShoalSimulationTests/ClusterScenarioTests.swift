import ShoalMembership
import ShoalSimulation
import ShoalTestSupport
import Testing

/// Whole-cluster scenarios over virtual time; each failure message names its seed.
///
/// Serialized and `.offCooperativePool`: each scenario is seconds of CPU-bound synchronous work; on
/// the cooperative pool (two threads here) they would starve every test that waits on a clock.
@Suite("membership in a simulated cluster", .serialized, .offCooperativePool)
struct ClusterScenarioTests {
    func converged(
        _ count: Int, seed: UInt64, network: NetworkConditions = NetworkConditions(), monotonic: Bool = true, certificateBytes: Int = 176,
        certificateGate: Bool = true
    ) -> Simulation {
        let simulation = Simulation(
            options: SimulationOptions(
                nodeCount: count, seed: seed, network: network, checkMonotonicStatus: monotonic, certificateBytes: certificateBytes,
                certificateGate: certificateGate))
        simulation.startAll()
        let done = simulation.run(until: { $0.isConverged(expectedRunning: count) }, checkEvery: .seconds(5), limit: .seconds(600))
        #expect(done != nil, "seed \(seed): \(count) nodes did not converge")
        return simulation
    }

    @Test("1,000 nodes joining through one seed converge with everyone alive")
    func thousandNodesConverge() {
        // Statements without a certificate (as small as memberlist's), and no certificate gate
        // (in a debug build it costs this run 190 s instead of 112), keep this test quick; the
        // join-storm test below runs with the agent's statement sizes and its gate.
        let simulation = converged(1000, seed: 1_000, certificateBytes: 0, certificateGate: false)
        #expect(simulation.violations.isEmpty, "\(simulation.violations.prefix(3))")
    }

    @Test("50 nodes starting within one second all know each other within 10 s", arguments: (1...20).map { UInt64(500 + $0) })
    func joinStormConverges(seed: UInt64) {
        // A member some joiner's gossip missed used to wait for push-pull (30-60 s, in about
        // one storm of six); joiners now gossip themselves, introduce themselves in their
        // probes, and each statement is sent more often. 10 s is over twice the worst seen.
        let simulation = Simulation(options: SimulationOptions(nodeCount: 50, seed: seed))
        simulation.startAll(spacing: .milliseconds(20))
        let done = simulation.run(until: { $0.isConverged(expectedRunning: 50) }, checkEvery: .milliseconds(500), limit: .seconds(10))
        #expect(done != nil, "seed \(seed): 50 nodes did not all know each other within 10 s")
        #expect(simulation.violations.isEmpty, "\(simulation.violations.prefix(3))")
    }

    @Test("a crashed node is declared dead by every survivor")
    func crashIsDetected() {
        let seed: UInt64 = 7
        let simulation = converged(50, seed: seed)
        simulation.trackDeath(of: 17)
        simulation.crash(17)
        let survivors = simulation.runningNodes
        let detected = simulation.run(
            until: { sim in survivors.allSatisfy { sim.status(of: 17, seenBy: $0) == .dead } }, limit: .seconds(120))
        #expect(detected != nil, "seed \(seed): not every survivor saw the crash")
        #expect(simulation.deathReports(of: 17).count == survivors.count)
        #expect(simulation.violations.isEmpty, "\(simulation.violations.prefix(3))")
    }

    @Test("10% loss on every link for 10 minutes declares no one dead", arguments: [UInt64(11), 12])
    func lossyNetworkHasNoFalseDeath(seed: UInt64) {
        let simulation = converged(64, seed: seed, network: NetworkConditions(lossProbability: 0.10))
        simulation.run(for: .seconds(600))
        #expect(simulation.violations.isEmpty, "\(simulation.violations.prefix(3))")
        #expect(simulation.isConverged(expectedRunning: 64), "seed \(seed)")
    }

    @Test("a node paused for 3 s refutes and is never declared dead")
    func pausedNodeRefutes() {
        let seed: UInt64 = 21
        let simulation = converged(40, seed: seed)
        let before = simulation.membership(of: 5)!.incarnation
        simulation.trackDeath(of: 5)
        simulation.pause(5)
        simulation.run(for: .seconds(3))
        simulation.resume(5)
        simulation.run(for: .seconds(60))
        #expect(simulation.deathReports(of: 5).isEmpty, "seed \(seed): declared dead by \(simulation.deathReports(of: 5).keys.sorted())")
        #expect(simulation.membership(of: 5)!.incarnation > before, "seed \(seed): node-5 never refuted")
        #expect(simulation.isConverged(expectedRunning: 40), "seed \(seed)")
        #expect(simulation.violations.isEmpty, "\(simulation.violations.prefix(3))")
    }

    @Test("a 50/50 partition for 60 s heals into one cluster with everyone alive")
    func partitionHeals() {
        let seed: UInt64 = 31
        let simulation = converged(40, seed: seed)
        simulation.partition([Array(0..<20), Array(20..<40)])
        simulation.run(for: .seconds(60))
        let split = simulation.status(of: 30, seenBy: 0) == .dead
        #expect(split, "seed \(seed): the sides never saw each other fail")
        simulation.heal()
        let healed = simulation.run(until: { $0.isConverged(expectedRunning: 40) }, limit: .seconds(300))
        #expect(healed != nil, "seed \(seed): partition did not heal")
        #expect(simulation.violations.isEmpty, "\(simulation.violations.prefix(3))")
    }

    @Test("a one-way partition for 30 s heals with everyone alive")
    func oneWayPartitionHeals() {
        let seed: UInt64 = 33
        let simulation = converged(30, seed: seed)
        simulation.partitionOneWay(from: Array(0..<10), to: Array(10..<30))
        simulation.run(for: .seconds(30))
        simulation.heal()
        let healed = simulation.run(until: { $0.isConverged(expectedRunning: 30) }, limit: .seconds(300))
        #expect(healed != nil, "seed \(seed): one-way partition did not heal")
        #expect(simulation.violations.isEmpty, "\(simulation.violations.prefix(3))")
    }

    @Test("the invariant checker catches false deaths when Lifeguard and indirect probes are off")
    func checkerCatchesFalseDeaths() {
        var config = MembershipConfig.lan
        config.indirectProbes = 0
        config.awarenessMaxMultiplier = 1
        config.suspicionMultiplier = 1
        config.suspicionMaxTimeoutMultiplier = 1
        config.streamFallbackPing = false
        let simulation = Simulation(
            options: SimulationOptions(nodeCount: 30, seed: 81, membership: config, network: NetworkConditions(lossProbability: 0.5)))
        simulation.startAll()
        simulation.run(for: .seconds(120))
        #expect(!simulation.violations.isEmpty, "seed 81: a fragile configuration under 50% loss should produce false deaths")
        #expect(simulation.violations.allSatisfy { $0.hasPrefix("seed 81:") })
    }

    @Test("nodes whose seed was down at join time join once it comes up")
    func joinIsRetried() {
        let seed: UInt64 = 45
        let simulation = Simulation(options: SimulationOptions(nodeCount: 5, seed: seed))
        for index in 1..<5 { simulation.restart(index, joiningThrough: [0]) }
        simulation.run(for: .seconds(10))
        #expect(simulation.membership(of: 1)?.knownMemberCount == 1)
        simulation.restart(0, joiningThrough: [])
        let joined = simulation.run(until: { $0.isConverged(expectedRunning: 5) }, limit: .seconds(120))
        #expect(joined != nil, "seed \(seed): join was never retried")
    }

    @Test("a node restarted with the same identity supersedes its old incarnation")
    func restartSupersedes() {
        let seed: UInt64 = 41
        let simulation = converged(30, seed: seed)
        let old = simulation.persistedIncarnation(of: 9)
        simulation.crash(9)
        simulation.run(for: .seconds(60))
        simulation.restart(9, joiningThrough: [0])
        let back = simulation.run(until: { $0.isConverged(expectedRunning: 30) }, limit: .seconds(300))
        #expect(back != nil, "seed \(seed): restarted node not alive everywhere")
        let seen = simulation.membership(of: 0)!.member(simulation.id(of: 9))!
        #expect(seen.status == .alive && seen.incarnation > old, "seed \(seed)")
        #expect(simulation.violations.isEmpty, "\(simulation.violations.prefix(3))")
    }

    @Test("a node whose own sends fail locally declares no healthy peer dead")
    func cutOffNodeAccusesNoOne() {
        let seed: UInt64 = 51
        let simulation = converged(30, seed: seed)
        simulation.setOutboundDown(3, true)
        simulation.run(for: .seconds(180))
        let accused = (0..<30).filter { $0 != 3 && simulation.status(of: $0, seenBy: 3) == .dead }
        #expect(accused.isEmpty, "seed \(seed): node-3 declared \(accused) dead")
        #expect(simulation.membership(of: 3)!.localHealth > 0)
        #expect(simulation.violations.isEmpty, "\(simulation.violations.prefix(3))")
    }

    @Test("a graceful leave is seen as left, not dead")
    func gracefulLeave() {
        let seed: UInt64 = 61
        let simulation = converged(30, seed: seed)
        simulation.leave(12)
        simulation.run(for: .seconds(30))
        let views = (0..<30).filter { $0 != 12 }.map { simulation.status(of: 12, seenBy: $0) }
        #expect(views.allSatisfy { $0 == .left }, "seed \(seed): \(views)")
        #expect(simulation.membership(of: 12)!.hasLeft)
        #expect(simulation.violations.isEmpty, "\(simulation.violations.prefix(3))")
    }

    @Test("an alive statement forged by another node is rejected")
    func forgedAliveRejected() {
        let seed: UInt64 = 71
        let simulation = converged(10, seed: seed)
        let victim = simulation.id(of: 4)
        var metadata = simulation.membership(of: 4)!.member(victim)!.metadata
        metadata.labels["owned"] = "yes"
        let forger = FakeAuthenticator(signer: simulation.id(of: 6))
        let forgedAlive = Statement.signed(subject: victim, incarnation: 1_000, claim: .alive(metadata), by: forger)
        let forgedDeath = Statement.signed(
            subject: simulation.id(of: 5), incarnation: 1_000, claim: .dead(accuser: simulation.id(of: 2), left: false), by: forger)
        let before = simulation.membership(of: 0)!.counters.rejectedStatements
        simulation.inject(Datagram(messages: [.gossip(forgedAlive), .gossip(forgedDeath)]), from: 6, to: 0)
        simulation.run(for: .seconds(5))
        let view = simulation.membership(of: 0)!
        #expect(view.counters.rejectedStatements == before + 2)
        #expect(view.member(victim)!.incarnation < 1_000)
        #expect(view.member(simulation.id(of: 5))!.status == .alive)
    }

    @Test("two runs from one seed produce identical event logs")
    func sameSeedSameLog() {
        func run() -> (log: [String], digest: UInt64) {
            let simulation = Simulation(
                options: SimulationOptions(
                    nodeCount: 25, seed: 99, network: NetworkConditions(lossProbability: 0.05), recordLog: true))
            simulation.startAll()
            simulation.run(for: .seconds(40))
            simulation.crash(3)
            simulation.pause(8)
            simulation.run(for: .seconds(2))
            simulation.resume(8)
            simulation.run(for: .seconds(60))
            return (simulation.log, simulation.logDigest)
        }
        let first = run()
        let second = run()
        #expect(first.log.count > 100)
        #expect(first.log == second.log && first.digest == second.digest)
    }
}
