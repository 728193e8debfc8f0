import ShoalMembership
import ShoalSimulation
import ShoalTestSupport
import Testing

/// Push-pull through the agent's certificate gate (which the simulator runs in front of every
/// node): an accusation that arrives by push-pull counts only from a certified accuser, as by
/// gossip, and the rule neither resurrects tombstones nor hides real deaths.
@Suite("push-pull accusations in a simulated cluster", .serialized, .offCooperativePool)
struct PushPullScenarioTests {
    /// `count` nodes started through node 0, run until they all know each other.
    func converged(_ count: Int, of total: Int, seed: UInt64) -> Simulation {
        let simulation = Simulation(options: SimulationOptions(nodeCount: total, seed: seed, recordLog: true))
        for index in 0..<count { simulation.start(index, joiningThrough: index == 0 ? [] : [0]) }
        let done = simulation.run(until: { $0.isConverged(expectedRunning: count) }, checkEvery: .seconds(1), limit: .seconds(60))
        #expect(done != nil, "seed \(seed): \(count) nodes did not converge")
        return simulation
    }

    @Test("accusations a certified member relays by push-pull from an uncertified accuser change no one's view", arguments: [UInt64(41), 42])
    func uncertifiedAccuserRefused(seed: UInt64) throws {
        // Nodes 0-9 run; node 10 holds a certificate but never starts (a ghost).
        let simulation = converged(10, of: 11, seed: seed)
        let ghost = 10
        // Signs validly, but the authority never certified it.
        let outsider = NodeID(bytes: [UInt8](repeating: 0xee, count: 32))
        let forger = FakeAuthenticator(signer: outsider)
        let relay = 1
        let sender = try #require(simulation.membership(of: relay)).ownAlive
        let injectedAt = simulation.log.count
        for target in 0..<10 where target != relay {
            var entries: [PushPullEntry] = []
            for subject in 0..<10 where subject != relay && subject != target {
                let alive = try #require(simulation.membership(of: subject)).ownAlive
                let dead = Statement.signed(
                    subject: alive.subject, incarnation: alive.incarnation, claim: .dead(accuser: outsider, left: false), by: forger)
                entries.append(PushPullEntry(alive: alive, accusation: dead))
            }
            let ghostAlive = Statement.signed(
                subject: simulation.id(of: ghost), incarnation: 1, claim: .alive(simulation.metadata(of: ghost)),
                by: FakeAuthenticator(signer: simulation.id(of: ghost)))
            let suspect = Statement.signed(subject: ghostAlive.subject, incarnation: 1, claim: .suspect(accuser: outsider), by: forger)
            entries.append(PushPullEntry(alive: ghostAlive, accusation: suspect))
            simulation.inject(
                [.pushPull(PushPullState(sender: sender, entries: entries, isJoin: false), to: simulation.address(of: target))], from: relay)
        }
        simulation.run(for: .seconds(30))
        let after = simulation.log[injectedAt...]
        #expect(!after.contains { $0.contains(" failed ") || $0.contains(" suspected ") }, "seed \(seed): \(after.prefix(5))")
        #expect(simulation.isConverged(expectedRunning: 10), "seed \(seed): a forged accusation changed someone's view")
        for observer in 0..<10 {
            #expect(simulation.status(of: ghost, seenBy: observer) == nil, "seed \(seed): node-\(observer) took in the ghost")
        }
        #expect(simulation.violations.isEmpty, "\(simulation.violations.prefix(3))")
    }

    @Test("a node that joins after a death learns the death or nothing, never a live member; the survivors all see it dead", arguments: [UInt64(43), 44])
    func tombstonesStayDead(seed: UInt64) {
        let simulation = converged(10, of: 11, seed: seed)
        let victim = 3, joiner = 10
        simulation.crash(victim)
        let survivors = simulation.runningNodes
        let detected = simulation.run(
            until: { sim in survivors.allSatisfy { sim.status(of: victim, seenBy: $0) == .dead } }, checkEvery: .milliseconds(500),
            limit: .seconds(60))
        #expect(detected != nil, "seed \(seed): not every survivor saw the crash")
        let joinedAt = simulation.log.count
        simulation.start(joiner, joiningThrough: [0])
        // A push-pull period and more: the joiner's own exchange with the seed, and the periodic ones.
        simulation.run(for: .seconds(40))
        #expect(simulation.isConverged(expectedRunning: 10), "seed \(seed): the joiner and the survivors do not all know each other")
        let joinerLog = simulation.log[joinedAt...].filter { $0.contains(" node-\(joiner) ") }
        #expect(!joinerLog.contains { $0.contains("joined node-\(victim) ") }, "seed \(seed): the joiner took the dead node in: \(joinerLog.prefix(5))")
        let joinerView = simulation.status(of: victim, seenBy: joiner)
        #expect(joinerView == nil || joinerView == .dead, "seed \(seed): the joiner holds the dead node as \(String(describing: joinerView))")
        for survivor in survivors {
            #expect(simulation.status(of: victim, seenBy: survivor) == .dead, "seed \(seed): node-\(survivor) forgot the death")
        }
        #expect(simulation.violations.isEmpty, "\(simulation.violations.prefix(3))")
    }
}
