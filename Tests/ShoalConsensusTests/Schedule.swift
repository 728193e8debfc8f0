@testable import ShoalConsensus
import ShoalRandom

/// One seeded random schedule over a `Cluster`: message loss, reordering, duplication,
/// partitions, crashes and restarts, compaction, reads, transfers and voter changes, then a
/// healed network in which the group must converge. Everything random comes from the seed,
/// so a failing seed replays exactly.
struct Schedule {
    struct Outcome {
        var violations: [String]
        var committed: LogIndex
        var coverage: Coverage
    }

    var seed: UInt64
    var steps = 800
    var nodes = 5
    var initialVoters = [1, 2, 3]
    var lossPercent = 10
    var duplicatePercent = 5

    func run() -> Outcome {
        var rng = SeededGenerator(seed: seed)
        var cluster = Cluster(count: nodes, voters: initialVoters, config: Fixture.config(maxEntries: 4, maxInflight: 3))
        var proposals: UInt32 = 0
        for step in 0..<steps {
            let roll = Int.random(in: 0..<100, using: &rng)
            switch roll {
            case 0..<40:
                guard !cluster.inFlight.isEmpty else {
                    cluster.tickBounded(Int.random(in: 1...nodes, using: &rng))
                    continue
                }
                let position = Int.random(in: 0..<cluster.inFlight.count, using: &rng)
                let fate = Int.random(in: 0..<100, using: &rng)
                if fate < lossPercent {
                    cluster.inFlight.remove(at: position)
                } else {
                    cluster.deliver(at: position, keepCopy: fate < lossPercent + duplicatePercent)
                }
            case 40..<72:
                cluster.tickBounded(Int.random(in: 1...nodes, using: &rng))
            case 72..<82:
                if let leader = cluster.leader {
                    proposals += 1
                    let data = withUnsafeBytes(of: proposals.bigEndian) { Array($0) } + [UInt8(step & 0xff)]
                    _ = try? cluster[leader].propose(data)
                    cluster.process(leader)
                }
            case 82..<84:
                let n = Int.random(in: 1...nodes, using: &rng)
                if cluster.nodes[n] != nil { cluster.crash(n) } else { cluster.restart(n) }
            case 84..<87:
                let n = Int.random(in: 1...nodes, using: &rng)
                if cluster.nodes[n] == nil { cluster.restart(n) }
            case 87..<90:
                if Int.random(in: 0..<2, using: &rng) == 0 {
                    cluster.heal()
                } else {
                    let size = Int.random(in: 1...2, using: &rng)
                    cluster.heal()
                    cluster.isolate(Array((1...nodes).shuffled(using: &rng).prefix(size)))
                }
            case 90..<92:
                let n = Int.random(in: 1...nodes, using: &rng)
                if cluster.nodes[n] != nil, cluster[n].appliedIndex > cluster[n].log.snapshot.metadata.index {
                    try? cluster.compact(n)
                }
            case 92..<95:
                let n = Int.random(in: 1...nodes, using: &rng)
                if cluster.nodes[n] != nil {
                    let context = withUnsafeBytes(of: UInt32(step).bigEndian) { Array($0) }
                    cluster.checker.readRequested(context: context, nodes: cluster.nodes)
                    try? cluster[n].readIndex(context: context)
                    cluster.process(n)
                }
            case 95..<97:
                if let leader = cluster.leader {
                    let target = Fixture.id(Int.random(in: 1...nodes, using: &rng))
                    try? cluster[leader].transferLeadership(to: target)
                    cluster.process(leader)
                }
            default:
                if let leader = cluster.leader {
                    let target = Fixture.id(Int.random(in: 1...nodes, using: &rng))
                    let change: ConfigurationChange =
                        switch Int.random(in: 0..<3, using: &rng) {
                        case 0: .addVoter(target)
                        case 1: .addLearner(target)
                        default: .remove(target)
                        }
                    _ = try? cluster[leader].proposeConfigurationChange(change)
                    cluster.process(leader)
                }
            }
        }
        converge(&cluster)
        let committed = cluster.leader.map { cluster[$0].commitIndex } ?? 0
        return Outcome(violations: cluster.checker.violations, committed: committed, coverage: cluster.coverage)
    }

    /// Heals everything, restarts every node, and requires a leader whose whole configuration
    /// applies everything it committed, including a fresh entry, within a bounded time.
    private func converge(_ cluster: inout Cluster) {
        cluster.heal()
        for n in 1...nodes where cluster.nodes[n] == nil { cluster.restart(n) }
        var proposed = false
        for _ in 0..<400 {
            cluster.tickAll()
            cluster.stabilize()
            guard let leader = cluster.leader else { continue }
            if !proposed {
                proposed = (try? cluster.propose(leader, [0xff])) != nil
                continue
            }
            let raft = cluster[leader]
            let members = raft.configuration.members.map(Cluster.number(of:))
            if raft.commitIndex == raft.lastIndex,
                members.allSatisfy({ cluster.machines[$0].index == raft.commitIndex })
            {
                return
            }
        }
        let summary = (1...nodes).map { n -> String in
            let raft = cluster[n]
            return "\(n): \(raft.role) term \(raft.term) commit \(raft.commitIndex) last \(raft.lastIndex) applied \(cluster.machines[n].index) \(raft.configuration)"
        }
        cluster.checker.violation("liveness: no convergence after healing; " + summary.joined(separator: "; "))
    }
}
