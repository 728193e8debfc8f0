import ShoalMembership
import ShoalSimulation

/// Cluster figures for the membership protocol: failure-detection latency and per-node load
/// as the cluster grows. Run with `swift run -c release shoal-sim-bench [sizes…] [--join]`,
/// `shoal-sim-bench --soak N [--loss P]` to run the fault scenarios over seeds 1…N, or
/// `shoal-sim-bench --join-storm N RUNS` for how long N nodes starting at once take to converge.
///
/// Each cluster starts converged (every node restored from a trusted snapshot of all members;
/// `--join` instead joins every node through one seed and reports how long that takes), runs
/// 30 s to settle, is measured for 60 s of steady state (datagrams; push-pull stream bytes
/// separately, as `pp B/node/s`), then loses one node to a crash.

struct Row {
    var nodes: Int
    var joinSeconds: Double?
    var detectionMean: Double
    var detectionMax: Double
    var detected: Int
    var survivors: Int
    var datagramsPerNodeSecond: Double
    var bytesPerNodeSecond: Double
    var streamBytesPerNodeSecond: Double
    var wallSeconds: Double
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

func log10(_ value: Double) -> Double {
    // Only for the printed ratio; precise enough via binary exponent and a short series.
    var x = value
    var result = 0.0
    while x >= 10 { x /= 10; result += 1 }
    let z = (x - 1) / (x + 1)
    var term = z, sum = 0.0, k = 1.0
    for _ in 0..<30 { sum += term / k; term *= z * z; k += 2 }
    return result + 2 * sum / 2.302585092994046
}

func format(_ value: Double, _ decimals: Int = 2) -> String {
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let rounded = Double(Int(value * scale + (value >= 0 ? 0.5 : -0.5))) / scale
    var text = "\(rounded)"
    if let dot = text.firstIndex(of: ".") {
        let fraction = text[text.index(after: dot)...]
        if fraction.count < decimals { text += String(repeating: "0", count: decimals - fraction.count) }
    }
    return text
}

func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
}

func measure(nodes count: Int, join: Bool) -> Row {
    let clock = ContinuousClock()
    let started = clock.now
    let simulation = Simulation(
        options: SimulationOptions(
            nodeCount: count, seed: 0xbe_0000 &+ UInt64(count), checkMonotonicStatus: count <= 1000, certificateGate: count <= 1000))
    var joinSeconds: Double?
    if join {
        simulation.startAll()
        if let at = simulation.run(until: { $0.isConverged(expectedRunning: count) }, checkEvery: .seconds(5), limit: .seconds(1200)) {
            joinSeconds = seconds(at)
        }
    } else {
        simulation.startConverged()
    }
    simulation.run(for: .seconds(30))
    simulation.resetTrafficCounters()
    let window = Duration.seconds(60)
    simulation.run(for: window)
    let datagrams = Double(simulation.datagramsSent) / Double(count) / seconds(window)
    let bytes = Double(simulation.bytesSent) / Double(count) / seconds(window)
    let streamBytes = Double(simulation.streamBytesSent) / Double(count) / seconds(window)

    let victim = count / 2
    simulation.trackDeath(of: victim)
    let crashedAt = simulation.now
    simulation.crash(victim)
    let survivors = simulation.runningNodes
    simulation.run(until: { $0.deathReports(of: victim).count >= survivors.count }, checkEvery: .milliseconds(500), limit: .seconds(600))
    let reports = simulation.deathReports(of: victim).values.map { seconds($0 - crashedAt) }
    let mean = reports.isEmpty ? 0 : reports.reduce(0, +) / Double(reports.count)
    if !simulation.violations.isEmpty {
        print("invariant violations (seed \(simulation.options.seed)): \(simulation.violations.prefix(3))")
    }
    return Row(
        nodes: count, joinSeconds: joinSeconds, detectionMean: mean, detectionMax: reports.max() ?? 0,
        detected: reports.count, survivors: survivors.count, datagramsPerNodeSecond: datagrams,
        bytesPerNodeSecond: bytes, streamBytesPerNodeSecond: streamBytes, wallSeconds: seconds(clock.now - started))
}

let arguments = CommandLine.arguments.dropFirst()
if let flag = arguments.firstIndex(of: "--join-storm") {
    let values = arguments.dropFirst(flag - arguments.startIndex + 1).prefix(2).compactMap { Int($0) }
    JoinStorm.run(nodes: values.first ?? 50, runs: values.dropFirst().first ?? 100)
} else if let flag = arguments.firstIndex(of: "--soak") {
    let seeds = arguments.dropFirst(flag - arguments.startIndex + 1).first.flatMap { Int($0) } ?? 20
    let loss = arguments.firstIndex(of: "--loss").flatMap { index in arguments.dropFirst(index - arguments.startIndex + 1).first }
        .flatMap { Double($0) } ?? 0.1
    Soak.run(seeds: seeds, loss: loss)
} else {
    table()
}

func table() {
let join = arguments.contains("--join")
let sizes = arguments.compactMap { Int($0) }
let chosen = sizes.isEmpty ? [10, 100, 1000, 10_000] : sizes

print("shoal membership simulator — LAN profile, no loss, one crash per cluster")
print(
    [pad("nodes", 7), pad("join s", 8), pad("detect mean s", 14), pad("detect max s", 13), pad("mean/log10 N", 13),
     pad("seen by", 13), pad("dgram/node/s", 13), pad("bytes/node/s", 13), pad("pp B/node/s", 12), pad("wall s", 8)].joined(separator: " "))
for count in chosen {
    let row = measure(nodes: count, join: join)
    print(
        [pad("\(row.nodes)", 7), pad(row.joinSeconds.map { format($0, 1) } ?? "-", 8), pad(format(row.detectionMean), 14),
         pad(format(row.detectionMax), 13), pad(format(row.detectionMean / log10(Double(row.nodes))), 13),
         pad("\(row.detected)/\(row.survivors)", 13), pad(format(row.datagramsPerNodeSecond), 13),
         pad(format(row.bytesPerNodeSecond, 0), 13),
         pad(format(row.streamBytesPerNodeSecond, 0), 12), pad(format(row.wallSeconds, 1), 8)].joined(separator: " "))
}
}
