import ShoalMembership
import ShoalSimulation
import ShoalTestSupport
import Testing

/// The simulator drops a datagram at any node other than the one it was sealed for, as the
/// agent's envelope check does, and the core never seals one for the wrong node.
@Suite("receiver-bound datagrams in a simulated cluster", .serialized, .offCooperativePool)
struct ReceiverBindingScenarioTests {
    @Test("a datagram sealed for one node and delivered to another is dropped; the cluster itself misdirects none")
    func misdirectedDatagramsDropped() {
        let seed: UInt64 = 31
        let simulation = Simulation(options: SimulationOptions(nodeCount: 20, seed: seed))
        simulation.startAll()
        let converged = simulation.run(until: { $0.isConverged(expectedRunning: 20) }, checkEvery: .seconds(1), limit: .seconds(120))
        #expect(converged != nil, "seed \(seed): 20 nodes did not converge")
        simulation.crash(5)
        simulation.run(for: .seconds(30))
        #expect(simulation.misdirectedDatagrams == 0, "seed \(seed): the core sealed a datagram for another node than the addressee")

        simulation.resetTrafficCounters()
        let ping = Datagram(messages: [.ping(seq: 1, target: simulation.id(of: 1), from: simulation.id(of: 0))])
        simulation.inject([.send(ping, to: simulation.address(of: 2), receiver: simulation.id(of: 1))], from: 0)
        #expect(simulation.misdirectedDatagrams == 1, "sealed for node 1, delivered to node 2")
        simulation.inject(ping, from: 0, to: 1)
        #expect(simulation.misdirectedDatagrams == 1, "sealed for node 1, delivered to node 1")
    }
}
