import Foundation
import Logging
import ServiceLifecycle
import ShoalCrypto
import ShoalMembership
import ShoalObjects
import ShoalTransport
import ShoalWire
import Synchronization

/// Objects as the agent runs them (DESIGN "Objects"): the chunk store on disk, `objects/1` on
/// the transport, and the placement the pure cores compute. Every alive member is a candidate
/// home; an object's homes are the `factor` members `Rendezvous` ranks highest, and they keep
/// a replica each (pinned `home`, never evicted) and the directory of who else holds it.
///
/// - A put cuts, hashes, compresses and stages the stream as it arrives, commits it here, then
///   asks each other home to replicate it (they pull the chunks from this node, or take them
///   inline when the object is small) and answers once `factor` nodes hold it durably.
/// - A get reads the local copy, or locates holders (homes first, in rendezvous order) and
///   pulls the chunks from all of them at once (`ObjectTransfer`), verifying each, streams each
///   to the client as it arrives (`ObjectReader`), and keeps the object as a `cached` copy.
/// - Repair runs when membership changes and every `repairInterval`: each holder re-derives the
///   homes of what it holds and has any home that lacks a copy replicate it; a node that is no
///   longer a home keeps its copy as `cached` once the new homes hold it.
final class ObjectService: Service, Sendable {
    struct Settings: Sendable {
        /// Replicas of an object put without `replicas`.
        var defaultFactor = 2
        /// Objects up to this size travel inline in a replicate request.
        var inlineLimit = 64 << 10
        /// How long one chunk request may take before it is asked of another holder.
        var chunkTimeout: Duration = .seconds(10)
        /// How long a home may take to make a replica durable.
        var replicateTimeout: Duration = .seconds(300)
        /// How long a locate question waits for each member.
        var locateTimeout: Duration = .seconds(3)
        /// Members asked at once when locating an object or counting its holders.
        var fanout = 64
        /// The time between repair passes when nothing changes.
        var repairInterval: Duration = .seconds(20)
        var limits = TransferLimits.standard
        /// Verified chunk bytes all gets together may hold for their clients beyond those in
        /// flight (`ChunkRelay`); a client that falls behind reads the rest from disk.
        var relayBudget = 32 << 20
    }

    struct Peer: Sendable {
        var name: String
        var host: String
        var port: Int
        var alive: Bool
    }

    struct State: Sendable {
        var peers: [NodeID: Peer] = [:]
        /// Holders each object is known to have (its directory, kept by its homes).
        var directory: [ObjectID: Set<NodeID>] = [:]
        /// Replications under way here, so two requests for one object share one fetch.
        var replicating: [ObjectID: Task<Result<Void, ObjectError>, Never>] = [:]
        /// Set when membership changed since the last repair pass.
        var repairWanted = true
        /// Where the next scrub starts, in the store's chunk order.
        var scrubCursor = 0
        /// Repair passes run, so every third is thorough.
        var passes = 0
    }

    let settings: Settings
    let store: ChunkStore
    let transport: Transport
    let membership: MembershipService
    let myself: NodeID
    let myName: String
    let clock: ShellClock
    let logger: Logger
    let state = Mutex(State())
    /// What every get's `ChunkRelay` draws on.
    let relayBudget: RelayBudget

    init(
        settings: Settings, store: ChunkStore, transport: Transport, membership: MembershipService, myself: NodeID, name: String,
        clock: ShellClock, logger: Logger
    ) {
        self.settings = settings
        relayBudget = RelayBudget(limit: settings.relayBudget)
        self.store = store
        self.transport = transport
        self.membership = membership
        self.myself = myself
        myName = name
        self.clock = clock
        self.logger = logger
    }

    /// Registers `objects/1`; called before the transport runs.
    func registerProtocols(on transport: Transport) {
        transport.register(.objects) { [self] connection in await self.serve(connection) }
    }

    func run() async throws {
        let feed = await membership.subscribeFeed()
        for member in feed.snapshot { update(member) }
        await withDiscardingTaskGroup { group in
            group.addTask {
                await cancelWhenGracefulShutdown {
                    for await change in feed.changes { self.observe(change) }
                }
            }
            group.addTask { await cancelWhenGracefulShutdown { await self.repairLoop() } }
        }
    }

    // MARK: - Membership

    private func observe(_ change: MembershipFeed.Change) {
        if let member = change.member {
            update(member)
        } else if change.kind == .reaped {
            state.withLock { _ = $0.peers.removeValue(forKey: change.id) }
        }
        switch change.kind {
        case .joined, .failed, .left, .reaped:
            state.withLock { $0.repairWanted = true }
        case .updated where change.member?.status == .alive:
            state.withLock { $0.repairWanted = true }
        default: break
        }
    }

    private func update(_ member: Member) {
        guard member.id != myself else { return }
        let peer = Peer(
            name: member.metadata.name, host: member.metadata.address.host, port: Int(member.metadata.address.port),
            alive: member.status == .alive)
        state.withLock { $0.peers[member.id] = peer }
    }

    /// The alive members, this node included: the set placement is computed over.
    var alive: Set<NodeID> {
        state.withLock { state in Set(state.peers.filter(\.value.alive).keys) }.union([myself])
    }

    func name(of node: NodeID) -> String {
        node == myself ? myName : state.withLock { $0.peers[node]?.name } ?? node.shortID
    }

    /// The homes of `id` among the alive members, best first.
    func homes(of id: ObjectID, factor: Int) -> [NodeID] {
        Rendezvous.homes(for: id, among: alive, factor: ReplicationFactor(clamping: factor))
    }

    // MARK: - Calls to peers

    /// One `objects/1` request to `node` and its answer (and body), within `timeout`.
    func call(
        _ node: NodeID, _ request: Shoal_Wire_V1_ObjectRequest, body: Data = Data(), timeout: Duration
    ) async throws -> (answer: Shoal_Wire_V1_ObjectAnswer, body: Data) {
        guard let peer = state.withLock({ $0.peers[node] }), let key = try? PublicKey(bytes: node.bytes) else {
            throw ObjectError.unavailable("no address for member \(node.shortID)")
        }
        let transport = self.transport
        return try await withTimeout(timeout, clock: clock.clock) {
            try await transport.withConnection(to: peer.host, port: peer.port, protocol: .objects, expecting: key) { connection in
                try await connection.send(request, body: body)
                let (answer, body) = try await connection.receive(Shoal_Wire_V1_ObjectAnswer.self)
                return (answer, body)
            }
        }
    }

    /// Records that `holders` hold `id` (this node's directory entry for it).
    func remember(_ id: ObjectID, holders: some Sequence<NodeID>) {
        state.withLock { $0.directory[id, default: []].formUnion(holders) }
    }

    func forget(_ id: ObjectID, holder: NodeID) {
        state.withLock { _ = $0.directory[id]?.remove(holder) }
    }

    /// Holders of `id` this node knows of and believes alive, itself included when it holds it.
    func knownHolders(of id: ObjectID) -> Set<NodeID> {
        let alive = self.alive
        var holders = state.withLock { $0.directory[id] ?? [] }.intersection(alive)
        if (try? store.contains(id)) == true { holders.insert(myself) } else { holders.remove(myself) }
        return holders
    }

    // MARK: - Repair

    /// Runs a pass at start, a second after membership changes (so a burst of changes makes one
    /// pass), and every `repairInterval` otherwise. The flag is polled once a second.
    private func repairLoop() async {
        var last = clock.elapsed()
        var first = true
        while !Task.isCancelled {
            let due = clock.elapsed() - last >= settings.repairInterval
            let changed = state.withLock { state in
                defer { state.repairWanted = false }
                return state.repairWanted
            }
            if first || changed || due {
                let thorough = state.withLock { state in
                    defer { state.passes += 1 }
                    return changed || first || state.passes % 3 == 0
                }
                await repairPass(thorough: thorough)
                last = clock.elapsed()
                first = false
            }
            try? await clock.sleep(.seconds(1))
        }
    }
}

extension ReplicationFactor {
    /// The most replicas a put may ask for.
    static let maximumCopies = 16

    /// The factor for a count a request or the index gave, clamped to 1...`maximumCopies`.
    init(clamping count: Int) {
        self.init(max(1, min(count, Self.maximumCopies)))
    }
}
