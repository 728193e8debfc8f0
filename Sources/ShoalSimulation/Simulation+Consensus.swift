public import ShoalConsensus
import ShoalMembership

/// A node's Raft core, boxed so it is stepped in place.
final class RaftBox {
    var state: Raft
    init(_ state: Raft) { self.state = state }
}

/// What one node's Raft persisted: the simulated fsynced log, which survives a crash.
struct RaftStore {
    var hardState = HardState()
    var snapshot = Snapshot(metadata: SnapshotMetadata(index: 0, term: 0, configuration: .empty))
    /// Entries after the snapshot, contiguous.
    var entries: [Entry] = []
    /// Whether the node has a log at all (a founder, or a node a leader added).
    var exists = false
    /// The hard state as of the last fsync: a crash loses a commit index written without one
    /// (`Ready.mustSync` false).
    var syncedHardState = HardState()

    mutating func persist(_ ready: Ready) {
        if let snapshot = ready.snapshot {
            self.snapshot = snapshot
            entries.removeAll { $0.index <= snapshot.metadata.index }
            exists = true
        }
        if let first = ready.entries.first {
            // Entries are contiguous after the snapshot: the ones from `first` on are replaced.
            let keep = Int(first.index) - Int(snapshot.metadata.index) - 1
            if keep < entries.count { entries.removeSubrange(max(0, keep)...) }
            entries += ready.entries
            exists = true
        }
        if let hardState = ready.hardState {
            self.hardState = hardState
            exists = true
        }
        if ready.mustSync { syncedHardState = hardState }
    }

    /// What survives a crash: everything but an unsynced commit index.
    mutating func crash() { hardState = syncedHardState }

    var persisted: PersistedState { PersistedState(hardState: hardState, snapshot: snapshot, entries: entries) }
}

/// The run's consensus history, for the invariants: the leader of each term, every committed
/// entry as first applied, and counts.
public struct ConsensusRecord: Sendable {
    /// Election safety: term → the one node that led it.
    public internal(set) var leaders: [Term: Int] = [:]
    /// State machine safety: index → (term, data) of the entry applied there, by anyone.
    var applied: [LogIndex: (term: Term, data: [UInt8])] = [:]
    public internal(set) var proposals = 0
    public internal(set) var entriesApplied = 0
    public internal(set) var configurationChanges = 0
    var nextProposal: UInt64 = 0
    /// Per node, the last index it applied (reset by a crash: it re-applies from its log).
    var appliedBy: [Int: LogIndex] = [:]
}

/// Raft beside membership on each node (DESIGN "How it is tested": one simulated node runs both
/// cores on one virtual clock and seeded network). The shell part mirrors `ConsensusService`:
/// persist each `Ready` before its messages leave, tick every `tick`, and, on the leader, apply
/// `VoterPolicy` to what this node's membership reports. Invariants are checked after every step:
/// election safety, log matching and leader completeness on each new leader's log, and state
/// machine safety on every applied entry.
extension Simulation {
    /// Node `index`'s Raft state, nil while it has none (crashed, or outside the group).
    public func raft(of index: Int) -> Raft? { nodes[index].crashed ? nil : nodes[index].raft?.state }

    /// The nodes that consider themselves leader now.
    public var raftLeaders: [Int] {
        nodes.indices.filter { !nodes[$0].paused && raft(of: $0)?.role == .leader }
    }

    /// The replica id of node `index` (its node id).
    public func replicaID(of index: Int) -> ReplicaID { ReplicaID(bytes: nodes[index].id.bytes)! }

    /// Node indices of the voters in `index`'s configuration.
    public func voters(seenBy index: Int) -> [Int] {
        guard let raft = raft(of: index) else { return [] }
        return raft.configuration.voters.compactMap { idIndex[NodeID(bytes: $0.bytes)] }
    }

    func bootRaft(_ index: Int) {
        guard let options = options.consensus else { return }
        if !nodes[index].raftStore.exists, options.founders.contains(index) {
            nodes[index].raftStore.snapshot = PersistedState.bootstrap(voters: options.founders.map(replicaID).sorted()).snapshot
            nodes[index].raftStore.exists = true
        }
        let store = nodes[index].raftStore
        let raft = Raft(
            id: replicaID(of: index), config: options.raft, persisted: store.persisted, applied: store.snapshot.metadata.index,
            randomSeed: self.options.seed &+ UInt64(index) &* 0x51ed &+ nodes[index].life)
        nodes[index].raft = store.exists ? RaftBox(raft) : nil
        consensusRecord.appliedBy[index] = store.snapshot.metadata.index
        agenda.schedule(.raftTick(node: index, life: nodes[index].life), at: now + options.tick)
        if consensusRecord.nextProposal == 0, let interval = options.proposalInterval {
            consensusRecord.nextProposal = 1
            agenda.schedule(.raftProposal, at: now + interval)
        }
    }

    func raftTick(_ index: Int, life: UInt64) {
        guard let options = options.consensus, nodes[index].life == life, nodes[index].isRunning else { return }
        agenda.schedule(.raftTick(node: index, life: life), at: now + options.tick)
        guard !nodes[index].paused, let box = nodes[index].raft else { return }
        box.state.tick()
        drainRaft(index)
        // The shell's housekeeping every 500 ms: the leader chooses voters.
        nodes[index].raftTicks += 1
        let period = max(1, Int(Duration.milliseconds(500) / options.tick))
        if nodes[index].raftTicks % period == 0, box.state.role == .leader { manageVoters(index) }
    }

    func receiveRaft(_ message: Message, at index: Int) {
        if nodes[index].raft == nil {
            // Outside the group: a leader adding it as a standby gives it an empty log.
            nodes[index].raftStore.exists = true
            bootRaftCore(index)
        }
        nodes[index].raft!.state.step(message)
        drainRaft(index)
    }

    private func bootRaftCore(_ index: Int) {
        let store = nodes[index].raftStore
        nodes[index].raft = RaftBox(
            Raft(
                id: replicaID(of: index), config: options.consensus!.raft, persisted: store.persisted,
                applied: store.snapshot.metadata.index, randomSeed: options.seed &+ UInt64(index) &* 0x51ed &+ nodes[index].life))
    }

    func proposeAtLeader() {
        guard let interval = options.consensus?.proposalInterval else { return }
        agenda.schedule(.raftProposal, at: now + interval)
        guard let leader = raftLeaders.first else { return }
        consensusRecord.nextProposal += 1
        let value = consensusRecord.nextProposal
        let data = (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
        if (try? nodes[leader].raft!.state.propose(data)) != nil {
            consensusRecord.proposals += 1
            drainRaft(leader)
        }
    }

    /// Carries out every pending `Ready` of node `index` in the agent's order, checking the
    /// invariants on the way.
    func drainRaft(_ index: Int) {
        guard let box = nodes[index].raft else { return }
        while box.state.hasReady {
            let ready = box.state.takeReady()
            nodes[index].raftStore.persist(ready)
            for message in ready.messages { sendRaft(message, from: index) }
            for entry in ready.committedEntries { checkApplied(entry, at: index) }
            for event in ready.events { checkEvent(event, at: index) }
        }
    }

    private func sendRaft(_ message: Message, from index: Int) {
        guard !nodes[index].outboundDown, let target = idIndex[NodeID(bytes: message.to.bytes)],
            linkOpen(from: index, to: target)
        else { return }
        if options.network.lossProbability > 0, Double.random(in: 0..<1, using: &rng) < options.network.lossProbability { return }
        agenda.schedule(.deliver(node: target, .raft(message)), at: now + oneWayDelay())
        if let duplicate = options.consensus?.duplicateProbability, duplicate > 0, Double.random(in: 0..<1, using: &rng) < duplicate {
            agenda.schedule(.deliver(node: target, .raft(message)), at: now + oneWayDelay() * 2)
        }
    }

    private func checkApplied(_ entry: Entry, at index: Int) {
        let last = consensusRecord.appliedBy[index] ?? 0
        if entry.index != last + 1 { violations.append("seed \(options.seed): node \(index) applied \(entry.index) after \(last)") }
        consensusRecord.appliedBy[index] = entry.index
        if let first = consensusRecord.applied[entry.index] {
            if first.term != entry.term || first.data != entry.data {
                violations.append("seed \(options.seed): state machine safety: index \(entry.index) applied as term \(first.term) and as term \(entry.term) (node \(index))")
            }
        } else {
            consensusRecord.applied[entry.index] = (entry.term, entry.data)
            consensusRecord.entriesApplied += 1
            if entry.kind == .configuration { consensusRecord.configurationChanges += 1 }
        }
    }

    private func checkEvent(_ event: RaftEvent, at index: Int) {
        guard case .roleChanged(.leader, let term) = event else { return }
        if let other = consensusRecord.leaders[term], other != index {
            violations.append("seed \(options.seed): election safety: nodes \(other) and \(index) both led term \(term)")
        }
        consensusRecord.leaders[term] = index
        // Leader completeness (and log matching with what was committed): the new leader's log
        // holds every entry applied anywhere, as applied.
        let store = nodes[index].raftStore
        for (appliedIndex, applied) in consensusRecord.applied where appliedIndex > store.snapshot.metadata.index {
            guard let entry = store.entries.first(where: { $0.index == appliedIndex }) else {
                violations.append("seed \(options.seed): leader completeness: node \(index) leads term \(term) without committed index \(appliedIndex)")
                continue
            }
            if entry.term != applied.term || entry.data != applied.data {
                violations.append("seed \(options.seed): log matching: node \(index)'s entry \(appliedIndex) differs from the committed one")
            }
        }
    }

    /// The leader's voter choice from its own membership view, one change at a time.
    private func manageVoters(_ index: Int) {
        guard let options = options.consensus, let box = nodes[index].raft, let membership = nodes[index].membership else { return }
        let raft = box.state
        let followers = raft.followers
        var candidates: [VoterPolicy.Candidate] = membership.members.compactMap { member in
            guard let id = ReplicaID(bytes: member.id.bytes) else { return nil }
            return VoterPolicy.Candidate(
                id: id, healthy: member.status == .alive, since: member.statusChangedAt, zone: member.metadata.labels["zone"],
                caughtUp: followers[id].map { $0.match > 0 && $0.match + 64 >= raft.commitIndex } ?? false)
        }
        let me = replicaID(of: index)
        if !candidates.contains(where: { $0.id == me }) { candidates.append(VoterPolicy.Candidate(id: me, healthy: true, since: .zero)) }
        guard let change = options.policy.next(
            configuration: raft.configuration, leader: me, candidates: candidates, now: now, lastChange: nodes[index].lastVoterChange)
        else { return }
        if (try? box.state.proposeConfigurationChange(change)) != nil {
            nodes[index].lastVoterChange = now
            drainRaft(index)
        }
    }
}
