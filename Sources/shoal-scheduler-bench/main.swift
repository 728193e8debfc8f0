// Placement decisions per second of the pure scheduler on one core (issue "Tasks", speed):
// 5,000 nodes and 100,000 pending tasks, placed in batches as the leader places them (one batch
// per Raft entry).
//
//   swift run -c release shoal-scheduler-bench [--nodes N] [--tasks N] [--batch N] [--runs N]
import ShoalMembership
import ShoalScheduler

func value(_ flag: String, default fallback: Int) -> Int {
    let arguments = CommandLine.arguments
    guard let index = arguments.firstIndex(of: flag), index + 1 < arguments.count, let parsed = Int(arguments[index + 1]) else { return fallback }
    return parsed
}

let nodeCount = value("--nodes", default: 5000)
let taskCount = value("--tasks", default: 100_000)
let batchSize = value("--batch", default: 1000)
let runs = value("--runs", default: 5)
let zones = ["a", "b", "c"]

func makeNodes() -> [SchedulingNode] {
    (0..<nodeCount).map { index in
        var bytes = [UInt8](repeating: 0, count: 32)
        for shift in 0..<4 { bytes[shift] = UInt8(truncatingIfNeeded: index >> (8 * (3 - shift))) }
        let capacity = index % 10 == 0 ? Resources(cpuMillis: 64_000, memoryBytes: 256 << 30) : Resources(cpuMillis: 16_000, memoryBytes: 64 << 30)
        return SchedulingNode(id: NodeID(bytes: bytes), capacity: capacity, labels: ["zone": zones[index % 3], "gpu": index % 50 == 0 ? "1" : "0"])
    }
}

// A mix: small and medium tasks, a tenth pinned to a zone, one in a hundred wanting a GPU
// node, a quarter spread rather than packed.
let requests: [PlacementRequest] = (0..<taskCount).map { index in
    var constraints: [LabelConstraint] = []
    if index % 10 == 0 { constraints.append(LabelConstraint(key: "zone", value: zones[index % 3])) }
    if index % 100 == 7 { constraints.append(LabelConstraint(key: "gpu", value: "1")) }
    return PlacementRequest(
        task: TaskID("t-\(index)")!,
        resources: Resources(cpuMillis: Int64([100, 250, 500, 1000][index % 4]), memoryBytes: Int64([128, 256, 512, 1024][index % 4]) << 20),
        constraints: constraints, strategy: index % 4 == 3 ? .spread : .binpack)
}

var rates: [Double] = []
var placedCount = 0
for run in 1...runs {
    var placer = Placer(nodes: makeNodes(), start: run)
    let clock = ContinuousClock()
    var placed = 0
    let elapsed = clock.measure {
        var start = 0
        while start < requests.count {
            let batch = Array(requests[start..<min(requests.count, start + batchSize)])
            for decision in placer.place(batch) { if case .placed = decision { placed += 1 } }
            start += batchSize
        }
    }
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    rates.append(Double(requests.count) / seconds)
    placedCount = placed
    print("run \(run): \(requests.count) decisions (\(placed) placed) in \((seconds * 1000).rounded() / 1000) s: \(Int(rates.last!)) decisions/s")
}
let median = rates.sorted()[rates.count / 2]
print("placement: \(nodeCount) nodes, \(taskCount) pending tasks, batches of \(batchSize): median \(Int(median)) decisions/s over \(runs) runs (\(placedCount) placed; target 10,000/s; Nomad's C1M: about 3,750/s)")
