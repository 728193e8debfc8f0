import Testing

@testable import ShoalConsensus

/// Raft §7: compaction and InstallSnapshot.
@Suite("snapshots")
struct SnapshotTests {
    @Test("compaction drops the log through the snapshot and keeps what follows")
    func compaction() throws {
        var cluster = Cluster(count: 1, voters: [1])
        cluster.elect(1)
        for byte in 0..<5 { try cluster.propose(1, [UInt8(byte)]) }
        try cluster.compact(1)
        let snapshot = cluster[1].log.snapshot.metadata
        #expect(snapshot.index == 6 && cluster[1].firstIndex == 7 && snapshot.configuration.voters == [Fixture.id(1)])
    }

    @Test("a snapshot is only taken at an applied index beyond the current snapshot", arguments: [0, 99])
    func outOfRange(index: Int) {
        var cluster = Cluster(count: 1, voters: [1])
        cluster.elect(1)
        #expect(throws: ConsensusError.snapshotOutOfRange(LogIndex(index))) {
            try cluster[1].compact(through: LogIndex(index), data: [])
        }
    }

    @Test("a follower behind the leader's snapshot is sent it and then catches up on the log")
    func laggingFollower() throws {
        var cluster = Cluster(count: 3, voters: [1, 2, 3])
        cluster.elect(1)
        cluster.crash(3)
        for byte in 0..<10 { try cluster.propose(1, [UInt8(byte)]) }
        try cluster.compact(1)
        try cluster.propose(1, [99])
        cluster.restart(3)
        var snapshots = 0
        for _ in 0..<3 {
            cluster.tickAll()
            cluster.stabilize(dropping: { message in
                if case .snapshot = message.kind { snapshots += 1 }
                return false
            })
        }
        #expect(snapshots == 1 && cluster.machines[3] == cluster.machines[1] && cluster.storage[3].snapshot.metadata.index == 11)
        #expect(cluster.checker.violations.isEmpty)
    }

    @Test("a lost snapshot is sent again after an election timeout")
    func lostSnapshotRetried() throws {
        var cluster = Cluster(count: 3, voters: [1, 2, 3])
        cluster.elect(1)
        cluster.crash(3)
        for byte in 0..<4 { try cluster.propose(1, [UInt8(byte)]) }
        try cluster.compact(1)
        cluster.restart(3)
        var dropped = 0
        for _ in 0..<(2 * cluster.config.electionTicks) {
            cluster.tickAll()
            cluster.stabilize(dropping: { message in
                guard case .snapshot = message.kind, dropped == 0 else { return false }
                dropped += 1
                return true
            })
        }
        #expect(dropped == 1 && cluster.machines[3] == cluster.machines[1])
    }

    @Test("a restarted node re-applies only the committed entries after its snapshot")
    func restartFromSnapshot() throws {
        var cluster = Cluster(count: 1, voters: [1])
        cluster.elect(1)
        for byte in 0..<3 { try cluster.propose(1, [UInt8(byte)]) }
        try cluster.compact(1)
        try cluster.propose(1, [7])
        cluster.crash(1)
        var node = Raft(id: Fixture.id(1), config: cluster.config, persisted: cluster.storage[1], randomSeed: 1)
        #expect(node.takeReady().committedEntries.map(\.data) == [[7]])
    }
}
