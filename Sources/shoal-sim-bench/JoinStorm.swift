import ShoalMembership
import ShoalSimulation

/// `shoal-sim-bench --join-storm N RUNS`: N nodes start within one second (20 ms apart, as a
/// script starting agents in a loop does) and join through node 0; prints how long until every
/// node sees every other alive, over RUNS seeds: median, 90th percentile, worst, and how many
/// runs took longer than 10 s (a member some joiner's gossip missed waits for a repair).
enum JoinStorm {
    static func run(nodes count: Int, runs: Int) {
        var times: [Double] = []
        for run in 0..<runs {
            let simulation = Simulation(options: SimulationOptions(nodeCount: count, seed: 0x5707_0000 &+ UInt64(run)))
            simulation.startAll(spacing: .milliseconds(20))
            let converged = simulation.run(
                until: { $0.isConverged(expectedRunning: count) }, checkEvery: .milliseconds(100), limit: .seconds(300))
            guard let at = converged else {
                print("seed \(simulation.options.seed): not converged after 300 s")
                continue
            }
            times.append(seconds(at))
        }
        guard !times.isEmpty else { return }
        times.sort()
        let slow = times.filter { $0 > 10 }.count
        print(
            "join storm, \(count) nodes, \(runs) runs: median \(format(times[times.count / 2], 1)) s, "
                + "p90 \(format(times[times.count * 9 / 10], 1)) s, worst \(format(times.last!, 1)) s, "
                + "over 10 s: \(slow), not converged: \(runs - times.count)")
    }
}
