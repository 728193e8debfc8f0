import ShoalConsensus
public import ShoalMembership
import ShoalRandom

/// A deterministic many-node run of `Membership` over a virtual clock and a seeded network
/// (DESIGN "How it is tested" 2).
///
/// Faults: per-link datagram loss and delay, one- and two-way partitions between groups,
/// pauses (a paused node neither ticks nor receives; datagrams and streams sent to it wait in
/// an inbox of `pausedInboxLimit` and are delivered when it resumes, later ones are dropped),
/// crashes (state lost) and restarts with the same identity and the persisted incarnation.
/// Invariants are checked on every event; `violations` names the seed.
public final class Simulation {
    /// Virtual time of the event being processed.
    public private(set) var now: Duration = .zero
    /// The options the run was created with.
    public let options: SimulationOptions
    /// Invariant violations seen so far, each prefixed with the seed.
    public internal(set) var violations: [String] = []
    /// One line per event when `options.recordLog` is set.
    public internal(set) var log: [String] = []
    /// FNV-1a digest over every event (time, observer, kind, subject, incarnation).
    public internal(set) var logDigest: UInt64 = 0xcbf2_9ce4_8422_2325
    /// Events reported by all nodes.
    public internal(set) var eventCount = 0
    /// Datagrams and their estimated bytes handed to the network since the last reset.
    public private(set) var datagramsSent = 0
    /// Estimated datagram bytes since the last reset.
    public private(set) var bytesSent = 0
    /// Push-pull exchanges (requests and replies) since the last reset.
    public private(set) var pushPullsSent = 0
    /// Estimated push-pull bytes since the last reset.
    public private(set) var streamBytesSent = 0
    /// Datagrams that reached a node other than the one they were sealed for, and were
    /// dropped there as the agent's envelope check drops them (bad signature), since the last reset.
    public private(set) var misdirectedDatagrams = 0

    var nodes: [SimulatedNode] = []
    /// Every node's certificate, as the gates check them.
    let certificates: FakeCertificates
    var addressIndex: [MemberAddress: Int] = [:]
    var idIndex: [NodeID: Int] = [:]
    var agenda = EventQueue<SimulationAction>()
    var rng: SeededGenerator
    /// Consensus bookkeeping (leaders by term, committed entries), for the invariants.
    public internal(set) var consensusRecord = ConsensusRecord()
    var group: [Int]
    var blockedLinks: Set<GroupLink> = []
    /// Links whose sends fail at the sender (a firewall's OUTPUT drop: EPERM), not silently.
    var failingLinks: Set<GroupLink> = []
    var statusHistory: [[Int: UInt64]]
    var trackedDeaths: [Int: [Int: Duration]] = [:]

    struct GroupLink: Hashable {
        var from: Int
        var to: Int
    }

    /// Creates `options.nodeCount` nodes; none runs until `start…` is called.
    public init(options: SimulationOptions) {
        self.options = options
        rng = SeededGenerator(seed: options.seed)
        group = Array(repeating: 0, count: options.nodeCount)
        statusHistory = options.checkMonotonicStatus ? Array(repeating: [:], count: options.nodeCount) : []
        nodes.reserveCapacity(options.nodeCount)
        var issued: [NodeID: FakeCertificates.Issued] = [:]
        for index in 0..<options.nodeCount {
            var idGenerator = SeededGenerator(seed: 0x5eed_0000 &+ UInt64(index))
            var bytes: [UInt8] = []
            for _ in 0..<4 {
                let word = idGenerator.next()
                for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
            }
            let id = NodeID(bytes: bytes)
            let address = MemberAddress(host: "10.\((index >> 16) & 255).\((index >> 8) & 255).\(index & 255)", port: 7946)
            let metadata = MemberMetadata(
                name: "node-\(index)", address: address, labels: ["zone": "z\(index % 3)"],
                cpuMillis: 4000, memoryBytes: 8 << 30, version: "0.1.0",
                certificate: [UInt8](repeating: UInt8(truncatingIfNeeded: index), count: options.certificateBytes))
            nodes.append(SimulatedNode(id: id, metadata: metadata))
            addressIndex[address] = index
            idIndex[id] = index
            issued[id] = FakeCertificates.Issued(certificate: metadata.certificate, name: metadata.name, expiresAt: UInt64.max / 2)
        }
        certificates = FakeCertificates(issued: issued)
    }

    // MARK: Queries

    /// Node `index`'s identity.
    public func id(of index: Int) -> NodeID { nodes[index].id }
    /// Node `index`'s address.
    public func address(of index: Int) -> MemberAddress { nodes[index].metadata.address }
    /// What node `index` advertises, its certificate included.
    public func metadata(of index: Int) -> MemberMetadata { nodes[index].metadata }
    /// Node `index`'s protocol state, nil while crashed or before start.
    public func membership(of index: Int) -> Membership? { nodes[index].crashed ? nil : nodes[index].membership }
    /// The incarnation node `index` last persisted.
    public func persistedIncarnation(of index: Int) -> UInt64 { nodes[index].persistedIncarnation }
    /// Nodes that run and have not left.
    public var runningNodes: [Int] { nodes.indices.filter { nodes[$0].isRunning } }

    /// What `observer` believes about `subject`.
    public func status(of subject: Int, seenBy observer: Int) -> MemberStatus? {
        membership(of: observer)?.member(nodes[subject].id)?.status
    }

    /// Whether every running node sees every other running node alive, and `expected` of them.
    public func isConverged(expectedRunning expected: Int? = nil) -> Bool {
        let running = runningNodes
        if let expected, running.count != expected { return false }
        for observer in running {
            guard let view = nodes[observer].box?.state, view.liveMemberCount == running.count else { return false }
        }
        for observer in running {
            let view = nodes[observer].box!.state
            for subject in running where view.member(nodes[subject].id)?.status != .alive { return false }
        }
        return true
    }

    /// Zeroes the traffic counters.
    public func resetTrafficCounters() {
        datagramsSent = 0
        bytesSent = 0
        pushPullsSent = 0
        streamBytesSent = 0
        misdirectedDatagrams = 0
    }

    // MARK: Starting

    /// Starts node 0 now and every other node `spacing` apart, each joining through `seed`.
    public func startAll(joiningThrough seed: Int = 0, spacing: Duration = .milliseconds(10)) {
        var at = now
        for index in nodes.indices {
            agenda.schedule(.start(node: index, seeds: index == seed ? [] : [seed]), at: at)
            if index != seed { at += spacing }
        }
    }

    /// Starts node `index` now, joining through `seeds` (none: it founds the cluster).
    public func start(_ index: Int, joiningThrough seeds: [Int]) {
        precondition(nodes[index].membership == nil, "node \(index) has started before")
        agenda.schedule(.start(node: index, seeds: seeds), at: now)
    }

    /// Starts every node already knowing every other (a trusted snapshot), for benchmarks that
    /// measure steady state rather than joining.
    public func startConverged() {
        for index in nodes.indices { boot(index) }
        let entries = nodes.map { PushPullEntry(alive: $0.membership!.ownAlive, accusation: nil) }
        for index in nodes.indices {
            nodes[index].box!.state.restore(
                trustedSnapshot: PushPullState(sender: entries[index].alive, entries: entries, isJoin: false), now: now)
            for entry in entries { _ = nodes[index].gate?.admit(entry.alive, now: unixSeconds) }
            reschedule(index)
        }
    }

    private func boot(_ index: Int) {
        let node = nodes[index]
        let membership = Membership(
            myself: node.id, metadata: node.metadata, incarnation: node.persistedIncarnation + 1,
            config: options.membership, authenticator: FakeAuthenticator(signer: node.id),
            randomSeed: options.seed &* 0x9e37_79b9_7f4a_7c15 &+ UInt64(index) &* 0x1000_0001 &+ node.life,
            now: now)
        nodes[index].box = MembershipBox(membership)
        nodes[index].gate = options.certificateGate ? CertificateGate(certificates: certificates, myself: node.id) : nil
        nodes[index].persistedIncarnation += 1
        nodes[index].crashed = false
        nodes[index].life += 1
        if options.checkMonotonicStatus { statusHistory[index] = [:] }
        if options.consensus != nil { bootRaft(index) }
    }

    // MARK: Running

    /// Processes every event up to and including `time`, then sets the clock to `time`.
    public func run(until time: Duration) {
        while let next = agenda.nextTime, next <= time {
            let (at, action) = agenda.pop()!
            now = at
            perform(action)
        }
        now = max(now, time)
    }

    /// Runs for `duration` of virtual time.
    public func run(for duration: Duration) {
        run(until: now + duration)
    }

    /// Runs until `condition` holds (checked every `step`) or `limit` passes; returns the time.
    @discardableResult
    public func run(until condition: (Simulation) -> Bool, checkEvery step: Duration = .seconds(1), limit: Duration) -> Duration? {
        let deadline = now + limit
        while now < deadline {
            if condition(self) { return now }
            run(until: min(now + step, deadline))
        }
        return condition(self) ? now : nil
    }

    private func perform(_ action: SimulationAction) {
        switch action {
        case .start(let index, let seeds):
            guard nodes[index].membership == nil || nodes[index].crashed else { return }
            boot(index)
            let effects = nodes[index].box!.state.join(seeds: seeds.map { nodes[$0].metadata.address }, now: now)
            carryOut(effects, of: index)
        case .tick(let index, let generation):
            guard nodes[index].tickGeneration == generation else { return }
            nodes[index].scheduledTick = nil
            guard nodes[index].isRunning, !nodes[index].paused else { return }
            let effects = nodes[index].box!.state.tick(now: now)
            carryOut(effects, of: index)
        case .deliver(let index, let delivery):
            guard nodes[index].isRunning else { return }
            if nodes[index].paused {
                if nodes[index].inbox.count < options.pausedInboxLimit { nodes[index].inbox.append(delivery) }
                return
            }
            deliver(delivery, to: index)
        case .sendFailed(let index, let life, let address):
            guard nodes[index].life == life, nodes[index].isRunning, !nodes[index].paused else { return }
            carryOut(nodes[index].box!.state.sendFailed(to: address, localError: true, now: now), of: index)
        case .raftTick(let index, let life):
            raftTick(index, life: life)
        case .raftProposal:
            proposeAtLeader()
        case .streamPingResult(let index, let life, let target, let seq, let succeeded):
            guard nodes[index].life == life, nodes[index].isRunning, !nodes[index].paused else { return }
            carryOut(nodes[index].box!.state.streamPingResult(target: target, seq: seq, succeeded: succeeded, now: now), of: index)
        }
    }

    private func deliver(_ delivery: Delivery, to index: Int) {
        let effects: [MembershipEffect]
        switch delivery {
        case .raft(let message):
            receiveRaft(message, at: index)
            return
        case .datagram(let datagram, let from):
            guard let admitted = gate(datagram, from: from, at: index) else { return }
            effects = nodes[index].box!.state.receive(admitted, from: from, now: now)
        case .pushPull(let received, let from, let isReply):
            let state = gate(received, at: index)
            if isReply {
                effects = nodes[index].box!.state.receivePushPullReply(state, from: from, now: now)
            } else {
                guard let answer = nodes[index].box!.state.answerPushPull(state, from: from, now: now) else { return }
                effects = answer.effects
                // The reply travels back on the requester's stream, which needs both directions open.
                if let requester = addressIndex[from], linkOpen(from: index, to: requester), linkOpen(from: requester, to: index) {
                    pushPullsSent += 1
                    streamBytesSent += answer.reply.estimatedSize
                    agenda.schedule(
                        .deliver(node: requester, .pushPull(answer.reply, from: nodes[index].metadata.address, isReply: true)),
                        at: now + oneWayDelay())
                }
            }
        }
        carryOut(effects, of: index)
    }

    /// The virtual clock as the gates read it (unix seconds, from zero).
    var unixSeconds: UInt64 { UInt64(max(0, now.components.seconds)) }

    /// What node `index`'s certificate gate lets through of a datagram from the node at `from`
    /// (the envelope's signer), as the agent's shell filters it; nil when nothing is left.
    private func gate(_ datagram: Datagram, from: MemberAddress, at index: Int) -> Datagram? {
        guard nodes[index].gate != nil, let sender = addressIndex[from] else { return datagram }
        let admitted = nodes[index].gate!.filter(datagram, from: nodes[sender].id, now: unixSeconds)
        return admitted.datagram.messages.isEmpty ? nil : admitted.datagram
    }

    /// What node `index`'s certificate gate lets through of a push-pull: an uncertified sender's
    /// entries are all dropped, as the agent's shell does.
    private func gate(_ state: PushPullState, at index: Int) -> PushPullState {
        guard nodes[index].gate != nil else { return state }
        return nodes[index].gate!.filter(state, now: unixSeconds)?.state
            ?? PushPullState(sender: state.sender, entries: [], isJoin: state.isJoin)
    }

    func reschedule(_ index: Int) {
        guard !nodes[index].crashed, !nodes[index].paused, let box = nodes[index].box,
            !box.state.hasLeft
        else { return }
        let deadline = max(box.state.nextDeadline, now)
        if nodes[index].scheduledTick == deadline { return }
        nodes[index].tickGeneration &+= 1
        nodes[index].scheduledTick = deadline
        agenda.schedule(.tick(node: index, generation: nodes[index].tickGeneration), at: deadline)
    }

    // MARK: Network

    func linkOpen(from: Int, to: Int) -> Bool {
        blockedLinks.isEmpty || !blockedLinks.contains(GroupLink(from: group[from], to: group[to]))
    }

    /// Whether a send from `from` to the node at `address` fails locally: the sender is cut off,
    /// or the link between their groups refuses sends.
    func sendFails(from: Int, outboundDown: Bool, to address: MemberAddress) -> Bool {
        if outboundDown { return true }
        guard !failingLinks.isEmpty, let target = addressIndex[address] else { return false }
        return failingLinks.contains(GroupLink(from: group[from], to: group[target]))
    }

    func oneWayDelay() -> Duration {
        let network = options.network
        return network.baseDelay + network.jitter * Double.random(in: 0..<1, using: &rng)
    }

    func carryOutExternally(_ effects: [MembershipEffect], of index: Int) {
        carryOut(effects, of: index)
    }

    private func carryOut(_ effects: [MembershipEffect], of index: Int) {
        let sender = (outboundDown: nodes[index].outboundDown, life: nodes[index].life, metadata: nodes[index].metadata)
        for effect in effects {
            switch effect {
            case .send(let datagram, let address, let receiver):
                datagramsSent += 1
                bytesSent += datagram.estimatedSize
                if sendFails(from: index, outboundDown: sender.outboundDown, to: address) {
                    agenda.schedule(.sendFailed(node: index, life: sender.life, to: address), at: now)
                    continue
                }
                guard let target = addressIndex[address], linkOpen(from: index, to: target) else { continue }
                // The envelope is bound to `receiver`: any other node there fails its signature.
                guard nodes[target].id == receiver else {
                    misdirectedDatagrams += 1
                    continue
                }
                if options.network.lossProbability > 0, Double.random(in: 0..<1, using: &rng) < options.network.lossProbability {
                    continue
                }
                agenda.schedule(.deliver(node: target, .datagram(datagram, from: sender.metadata.address)), at: now + oneWayDelay())
            case .pushPull(let state, let address):
                pushPullsSent += 1
                streamBytesSent += state.estimatedSize
                if sendFails(from: index, outboundDown: sender.outboundDown, to: address) {
                    agenda.schedule(.sendFailed(node: index, life: sender.life, to: address), at: now)
                    continue
                }
                // A stream needs both directions (the TCP handshake).
                guard let target = addressIndex[address], linkOpen(from: index, to: target), linkOpen(from: target, to: index),
                    !nodes[target].outboundDown, !sendFails(from: target, outboundDown: false, to: nodes[index].metadata.address)
                else { continue }
                let delay = oneWayDelay() * 3
                agenda.schedule(.deliver(node: target, .pushPull(state, from: sender.metadata.address, isReply: false)), at: now + delay)
            case .streamPing(let targetID, let seq, let address):
                var succeeded = false
                if let target = addressIndex[address], !sendFails(from: index, outboundDown: sender.outboundDown, to: address),
                    nodes[target].isRunning, !nodes[target].paused, !nodes[target].outboundDown, nodes[target].id == targetID,
                    linkOpen(from: index, to: target), linkOpen(from: target, to: index),
                    !sendFails(from: target, outboundDown: false, to: nodes[index].metadata.address)
                {
                    succeeded = true
                }
                let delay = succeeded ? oneWayDelay() * 3 : options.membership.probeTimeout * 2
                agenda.schedule(
                    .streamPingResult(node: index, life: sender.life, target: targetID, seq: seq, succeeded: succeeded),
                    at: now + delay)
            case .persistIncarnation(let incarnation):
                nodes[index].persistedIncarnation = incarnation
            case .event(let event):
                if case .reaped(let id) = event { nodes[index].gate?.forget(id) }
                observe(event, by: index)
            }
        }
        reschedule(index)
    }
}
