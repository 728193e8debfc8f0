@testable import ShoalConsensus

/// A deterministic in-test network of replicas 1...n: each node's stored state is kept the way
/// a shell would keep it (carrying out every `Ready` in its documented order), so a crash
/// keeps exactly what was persisted. Every persisted, applied and elected fact is checked by
/// `SafetyChecker` as it happens.
struct Cluster {
    var config: RaftConfig
    var nodes: [Raft?]
    var storage: [PersistedState]
    /// Each node's hard state as of its last fsync (`Ready.mustSync`): a crash loses the rest.
    var synced: [HardState]
    var machines: [Machine]
    var inFlight: [Message] = []
    /// Links that drop everything, as ordered pairs (from, to).
    var cut: Set<[Int]> = []
    var checker = SafetyChecker()
    var restarts = 0
    /// How often each mechanism was exercised, so a schedule test can show it covered them.
    var coverage = Coverage()
    /// Ticks each node has had; `tickBounded` keeps them within one of each other.
    var ticks: [Int]
    var readStates: [[ReadState]]

    /// Nodes 1...count; `voters` bootstrap the group, the others start as joiners.
    init(count: Int, voters: [Int], config: RaftConfig = Fixture.config(), persisted: [Int: PersistedState] = [:]) {
        self.config = config
        nodes = [nil]
        storage = [PersistedState.joining]
        synced = [HardState()]
        machines = Array(repeating: Machine(), count: count + 1)
        readStates = Array(repeating: [], count: count + 1)
        ticks = Array(repeating: 0, count: count + 1)
        for n in 1...count {
            let state = persisted[n] ?? (voters.contains(n) ? Fixture.persisted(voters: voters, term: 0) : .joining)
            storage.append(state)
            synced.append(state.hardState)
            nodes.append(Raft(id: Fixture.id(n), config: config, persisted: state, randomSeed: UInt64(n)))
            checker.stored(node: n, entries: state.entries, in: state)
        }
    }

    var count: Int { nodes.count - 1 }

    subscript(n: Int) -> Raft {
        get { nodes[n]! }
        set { nodes[n] = newValue }
    }

    static func number(of id: ReplicaID) -> Int { Int(id.bytes[0]) }

    /// Carries out node n's Ready: persist, send, apply, serve reads, report (Ready's order).
    mutating func process(_ n: Int) {
        guard var node = nodes[n], node.hasReady else { return }
        let ready = node.takeReady()
        nodes[n] = node
        if let snapshot = ready.snapshot {
            storage[n].snapshot = snapshot
            storage[n].entries = []
        }
        if let first = ready.entries.first {
            storage[n].entries.removeAll { $0.index >= first.index }
            storage[n].entries += ready.entries
            checker.stored(node: n, entries: ready.entries, in: storage[n])
        }
        if let hardState = ready.hardState {
            checker.storedHardState(node: n, old: storage[n].hardState, new: hardState)
            storage[n].hardState = hardState
        }
        if ready.mustSync { synced[n] = storage[n].hardState }
        inFlight += ready.messages
        if let snapshot = ready.snapshot {
            coverage.snapshotsInstalled += 1
            machines[n] = Machine(snapshot: snapshot)
            checker.installed(node: n, machine: machines[n])
        }
        for entry in ready.committedEntries {
            if entry.index != machines[n].index + 1 {
                checker.violation("node \(n) applied \(entry.index) after \(machines[n].index)")
            }
            machines[n].apply(entry)
            if entry.kind == .configuration { coverage.configurationsApplied += 1 }
            checker.applied(node: n, entry: entry, machine: machines[n], term: node.term, nodes: nodes)
        }
        readStates[n] += ready.readStates
        for state in ready.readStates { checker.readAnswered(node: n, state) }
        coverage.readsAnswered += ready.readStates.count
        for event in ready.events {
            if case .roleChanged(.leader, let term) = event {
                coverage.elections += 1
                checker.elected(node: n, term: term, nodes: nodes)
            }
        }
    }

    mutating func tick(_ n: Int) {
        guard nodes[n] != nil else { return }
        ticks[n] += 1
        nodes[n]!.tick()
        process(n)
    }

    /// Ticks n unless it is already a tick ahead of a running node: the bounded clock drift
    /// the leader lease assumes (thesis §6.4.1), with electionTicks - leaseTicks to spare.
    mutating func tickBounded(_ n: Int) {
        let running = (1...count).filter { nodes[$0] != nil }
        guard let slowest = running.map({ ticks[$0] }).min(), ticks[n] <= slowest else { return }
        tick(n)
    }

    mutating func tickAll(_ times: Int = 1) {
        for _ in 0..<times {
            for n in 1...count { tick(n) }
        }
    }

    /// Delivers message `position` of `inFlight` (dropped if its link is cut or its
    /// receiver is down).
    mutating func deliver(at position: Int, keepCopy: Bool = false) {
        let message = keepCopy ? inFlight[position] : inFlight.remove(at: position)
        let from = Cluster.number(of: message.from)
        let to = Cluster.number(of: message.to)
        guard to <= count, nodes[to] != nil, !cut.contains([from, to]) else { return }
        if case .timeoutNow = message.kind { coverage.timeoutNows += 1 }
        nodes[to]!.step(message)
        process(to)
    }

    /// Delivers everything in order, including what the deliveries cause, until quiet;
    /// messages `dropping` picks are lost instead.
    mutating func stabilize(maxMessages: Int = 100_000, dropping: (Message) -> Bool = { _ in false }) {
        for n in 1...count { process(n) }
        var delivered = 0
        while !inFlight.isEmpty && delivered < maxMessages {
            if dropping(inFlight[0]) {
                inFlight.removeFirst()
            } else {
                deliver(at: 0)
            }
            delivered += 1
        }
        // Without ticks every exchange ends; one that does not is a livelock to report, not to hide.
        if !inFlight.isEmpty { checker.violation("not quiet after \(maxMessages) messages (\(inFlight.count) in flight)") }
    }

    /// Cuts `group` off from everyone else, both ways.
    mutating func isolate(_ group: [Int]) {
        for a in group {
            for b in 1...count where !group.contains(b) {
                cut.insert([a, b])
                cut.insert([b, a])
            }
        }
    }

    mutating func heal() { cut = [] }

    /// Stops n; what it wrote without an fsync (a commit index alone) is lost.
    mutating func crash(_ n: Int) {
        nodes[n] = nil
        storage[n].hardState = synced[n]
    }

    /// Restarts n from its stored state alone; its state machine is rebuilt from the snapshot.
    mutating func restart(_ n: Int) {
        restarts += 1
        ticks[n] = (1...count).filter { nodes[$0] != nil }.map { ticks[$0] }.min() ?? ticks[n]
        nodes[n] = Raft(id: Fixture.id(n), config: config, persisted: storage[n], randomSeed: UInt64(n) &* 7919 &+ UInt64(restarts))
        machines[n] = Machine(snapshot: storage[n].snapshot)
        process(n)
    }

    /// Campaigns on n and delivers everything. The other nodes are first taken to have been
    /// silent for an election timeout, so that no lease they may have promised (a restarted
    /// node assumes one) makes them ignore the campaign.
    mutating func elect(_ n: Int) {
        for m in 1...count where m != n && nodes[m] != nil { nodes[m]!.ticksSinceLeaderContact = .max }
        self[n].campaign()
        stabilize()
    }

    /// The node that leads the highest term, if any.
    var leader: Int? {
        (1...count).filter { nodes[$0]?.role == .leader }.max { self[$0].term < self[$1].term }
    }

    /// Proposes on n and delivers everything; returns the index.
    @discardableResult
    mutating func propose(_ n: Int, _ data: [UInt8]) throws(ConsensusError) -> LogIndex {
        let index = try self[n].propose(data)
        stabilize()
        return index
    }

    mutating func compact(_ n: Int) throws(ConsensusError) {
        let applied = self[n].appliedIndex
        let snapshot = try self[n].compact(through: applied, data: machines[n].encoded)
        storage[n].snapshot = snapshot
        storage[n].entries.removeAll { $0.index <= snapshot.metadata.index }
    }
}

/// Counts of what a run exercised.
struct Coverage: Equatable {
    var elections = 0
    var snapshotsInstalled = 0
    var configurationsApplied = 0
    var readsAnswered = 0
    var timeoutNows = 0

    static func + (lhs: Coverage, rhs: Coverage) -> Coverage {
        Coverage(
            elections: lhs.elections + rhs.elections, snapshotsInstalled: lhs.snapshotsInstalled + rhs.snapshotsInstalled,
            configurationsApplied: lhs.configurationsApplied + rhs.configurationsApplied,
            readsAnswered: lhs.readsAnswered + rhs.readsAnswered, timeoutNows: lhs.timeoutNows + rhs.timeoutNows)
    }
}

/// The replicated state machine of the tests: a hash chain over every applied entry, so two
/// replicas that applied different entries anywhere disagree from there on.
struct Machine: Equatable {
    var index: LogIndex = 0
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325

    init() {}

    /// The bootstrap snapshot (no data) is the empty state.
    init(snapshot: Snapshot) {
        let bytes = snapshot.data
        guard bytes.count == 16 else { return }
        index = bytes[0..<8].reduce(0) { $0 << 8 | UInt64($1) }
        hash = bytes[8..<16].reduce(0) { $0 << 8 | UInt64($1) }
    }

    var encoded: [UInt8] {
        (0..<8).reversed().map { UInt8(truncatingIfNeeded: index >> UInt64($0 * 8)) }
            + (0..<8).reversed().map { UInt8(truncatingIfNeeded: hash >> UInt64($0 * 8)) }
    }

    mutating func apply(_ entry: Entry) {
        index = entry.index
        var bytes = [entry.kind.rawValue] + entry.data
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: entry.term >> UInt64(shift))) }
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
    }
}
