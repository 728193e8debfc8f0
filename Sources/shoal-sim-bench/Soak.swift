import ShoalMembership
import ShoalSimulation

/// `shoal-sim-bench --soak N [--loss P]`: the fault scenarios of the test suite over seeds
/// 1…N in release (the lossy one at loss P, default 0.1), printing every seed that breaks an
/// invariant or fails to recover.
enum Soak {
    static func run(seeds: Int, loss: Double) {
        var failures: [String] = []
        for seed in 1...UInt64(seeds) {
            failures += lossy(seed: seed, loss: loss) + pause(seed: seed) + partition(seed: seed) + restart(seed: seed)
            print("seed \(seed): \(failures.isEmpty ? "ok" : "\(failures.count) failures so far")")
        }
        for failure in failures { print(failure) }
        print(failures.isEmpty ? "soak: all \(seeds) seeds passed" : "soak: \(failures.count) failures")
    }

    static func converged(_ count: Int, seed: UInt64, loss: Double = 0) -> Simulation? {
        let simulation = Simulation(
            options: SimulationOptions(nodeCount: count, seed: seed, network: NetworkConditions(lossProbability: loss)))
        simulation.startAll()
        return simulation.run(until: { $0.isConverged(expectedRunning: count) }, checkEvery: .seconds(5), limit: .seconds(600)) == nil
            ? nil : simulation
    }

    static func lossy(seed: UInt64, loss: Double) -> [String] {
        guard let simulation = converged(64, seed: seed, loss: loss) else { return ["seed \(seed): lossy cluster never converged"] }
        simulation.run(for: .seconds(600))
        return simulation.violations + (simulation.isConverged(expectedRunning: 64) ? [] : ["seed \(seed): lossy cluster not converged at the end"])
    }

    static func pause(seed: UInt64) -> [String] {
        guard let simulation = converged(40, seed: seed) else { return ["seed \(seed): pause cluster never converged"] }
        simulation.trackDeath(of: 5)
        simulation.pause(5)
        simulation.run(for: .seconds(3))
        simulation.resume(5)
        simulation.run(for: .seconds(60))
        let deaths = simulation.deathReports(of: 5)
        return simulation.violations + (deaths.isEmpty ? [] : ["seed \(seed): paused node declared dead by \(deaths.keys.sorted())"])
    }

    static func partition(seed: UInt64) -> [String] {
        guard let simulation = converged(40, seed: seed) else { return ["seed \(seed): partition cluster never converged"] }
        simulation.partition([Array(0..<20), Array(20..<40)])
        simulation.run(for: .seconds(60))
        simulation.heal()
        let healed = simulation.run(until: { $0.isConverged(expectedRunning: 40) }, limit: .seconds(300))
        return simulation.violations + (healed == nil ? ["seed \(seed): partition did not heal in 300 s"] : [])
    }

    static func restart(seed: UInt64) -> [String] {
        guard let simulation = converged(30, seed: seed) else { return ["seed \(seed): restart cluster never converged"] }
        simulation.crash(9)
        simulation.run(for: .seconds(60))
        simulation.restart(9, joiningThrough: [0])
        let back = simulation.run(until: { $0.isConverged(expectedRunning: 30) }, limit: .seconds(300))
        return simulation.violations + (back == nil ? ["seed \(seed): restarted node not alive everywhere"] : [])
    }
}
