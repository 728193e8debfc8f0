import Foundation
import ShoalTestSupport
import Testing

@testable import ShoalConsensus

/// Raft Figure 3's safety properties under hundreds of seeded random schedules. A failing seed
/// is printed; `SHOAL_RAFT_SEED=<seed>` replays exactly that one. A longer soak:
/// `SHOAL_RAFT_SCHEDULES=<n>`, `SHOAL_RAFT_STEPS=<steps per schedule>`,
/// `SHOAL_RAFT_LOSS=<percent>`, `SHOAL_RAFT_NODES=<nodes, at least 3>`.
@Suite("random schedules", .offCooperativePool)
struct ScheduleTests {
    static let seeds: [UInt64] = {
        let environment = ProcessInfo.processInfo.environment
        if let seed = environment["SHOAL_RAFT_SEED"].flatMap({ UInt64($0) }) { return [seed] }
        let count = environment["SHOAL_RAFT_SCHEDULES"].flatMap({ Int($0) }) ?? 250
        return (1...UInt64(count)).map { $0 }
    }()

    @Test("election safety, log matching, leader completeness and state machine safety hold in every schedule")
    func safety() {
        var failures: [String] = []
        var coverage = Coverage()
        for seed in ScheduleTests.seeds {
            let outcome = ScheduleTests.schedule(seed: seed).run()
            coverage = coverage + outcome.coverage
            if !outcome.violations.isEmpty {
                failures.append("seed \(seed) (replay: SHOAL_RAFT_SEED=\(seed)): " + outcome.violations.joined(separator: " | "))
            }
        }
        #expect(failures.isEmpty, "\(failures.count) failing schedules:\n\(failures.prefix(5).joined(separator: "\n"))")
        if ScheduleTests.seeds.count > 1 {
            // The schedules are only evidence for what they exercised.
            #expect(
                coverage.elections > 0 && coverage.snapshotsInstalled > 0 && coverage.configurationsApplied > 0
                    && coverage.readsAnswered > 0 && coverage.timeoutNows > 0, "coverage \(coverage)")
        }
        print("raft schedules: \(ScheduleTests.seeds.count) seeds, \(coverage)")
    }

    static func schedule(seed: UInt64) -> Schedule {
        let environment = ProcessInfo.processInfo.environment
        var schedule = Schedule(seed: seed)
        if let steps = environment["SHOAL_RAFT_STEPS"].flatMap({ Int($0) }) { schedule.steps = steps }
        if let loss = environment["SHOAL_RAFT_LOSS"].flatMap({ Int($0) }) { schedule.lossPercent = loss }
        if let nodes = environment["SHOAL_RAFT_NODES"].flatMap({ Int($0) }), nodes >= 3 { schedule.nodes = nodes }
        return schedule
    }

    @Test("a seed replays exactly")
    func replay() {
        let first = Schedule(seed: 7).run()
        let second = Schedule(seed: 7).run()
        #expect(first.committed == second.committed && first.violations == second.violations && first.committed > 0)
    }
}
