import Foundation
import Testing

@testable import ShoalConsensus

/// Raft Figure 3's safety properties under hundreds of seeded random schedules. A failing seed
/// is printed; `SHOAL_RAFT_SEED=<seed>` replays exactly that one, and
/// `SHOAL_RAFT_SCHEDULES=<n>` runs a longer soak.
@Suite("random schedules")
struct ScheduleTests {
    static let seeds: [UInt64] = {
        let environment = ProcessInfo.processInfo.environment
        if let seed = environment["SHOAL_RAFT_SEED"].flatMap({ UInt64($0) }) { return [seed] }
        let count = environment["SHOAL_RAFT_SCHEDULES"].flatMap({ Int($0) }) ?? 300
        return (1...UInt64(count)).map { $0 }
    }()

    @Test("election safety, log matching, leader completeness and state machine safety hold in every schedule")
    func safety() {
        var failures: [String] = []
        for seed in ScheduleTests.seeds {
            let outcome = Schedule(seed: seed).run()
            if !outcome.violations.isEmpty {
                failures.append("seed \(seed) (replay: SHOAL_RAFT_SEED=\(seed)): " + outcome.violations.joined(separator: " | "))
            }
        }
        #expect(failures.isEmpty, "\(failures.count) failing schedules:\n\(failures.prefix(5).joined(separator: "\n"))")
    }

    @Test("a seed replays exactly")
    func replay() {
        let first = Schedule(seed: 7).run()
        let second = Schedule(seed: 7).run()
        #expect(first.committed == second.committed && first.violations == second.violations && first.committed > 0)
    }
}
