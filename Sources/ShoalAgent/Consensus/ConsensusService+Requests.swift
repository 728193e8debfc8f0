import Foundation
import ShoalConsensus
import ShoalMembership
import ShoalCrypto
import ShoalTransport
import ShoalWire
import Synchronization

/// A key-value request as the admin API and `leader/1` carry it.
enum KVRequest: Sendable {
    case put(key: String, value: [UInt8], cas: LogIndex?)
    case delete(key: String, cas: LogIndex?)
    /// One key, or (`list`) every key starting with it; with `watch`, a blocking read.
    case read(key: String, list: Bool, stale: Bool, watch: KVWatch? = nil)

    var isWrite: Bool {
        if case .read = self { return false }
        return true
    }

    var watch: KVWatch? {
        if case .read(_, _, _, let watch) = self { return watch }
        return nil
    }
}

/// A blocking read (Consul's blocking queries; how an agent follows keys that concern it): the
/// read answers once its watch index (`KeyValueStore.watchIndex`) is past `index`, or after
/// `wait` with what is there then.
struct KVWatch: Sendable, Equatable {
    var index: LogIndex
    var wait: Duration

    /// The longest a watch may wait (Consul's: 10 minutes); a longer `wait` is cut to it.
    static let maximumWait = Duration.seconds(600)
    /// The wait when a watch gives an index but no wait (Consul's: 5 minutes).
    static let defaultWait = Duration.seconds(300)

    init(index: LogIndex, wait: Duration) {
        self.index = index
        self.wait = min(max(wait, .zero), Self.maximumWait)
    }
}

/// What a key-value request returns: the index it committed at (a write) or a read's watch
/// index (`KeyValueStore.watchIndex`), and the pairs read.
struct KVReply: Sendable, Equatable {
    var index: LogIndex
    var pairs: [KeyValueStore.Pair]
    /// The term of the leader that committed the write (its fencing token with `index`); 0 for reads.
    var term: Term = 0
}

/// Why a key-value request failed; each maps to one HTTP status.
enum KVFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// No leader within the request's deadline (503): retry.
    case unavailable(String)
    /// The request can never succeed as written (400).
    case invalid(String)
    /// The compare index did not match (409); `current` is the key's modify index, nil if absent.
    case casFailed(current: LogIndex?)
    /// Nothing by that name (404): the message says what was missing.
    case notFound(String)
    /// The leader was lost after the write was sent: it may or may not have been applied (503).
    case indeterminate(String)

    var description: String {
        switch self {
        case .unavailable(let why): "no leader is available: \(why)"
        case .invalid(let why): why
        case .casFailed(let current):
            current.map { "the compare index does not match: the key's modify index is \($0)" }
                ?? "the compare index does not match: the key does not exist"
        case .notFound(let what): what
        case .indeterminate(let why): "the write may or may not have been applied (\(why)); read the key to find out"
        }
    }
}

extension ConsensusService {
    /// Carries out `request`: on this replica when it can (writes on the leader, reads on any
    /// replica through the read index), else through the leader over `leader/1`. Waits for a
    /// leader up to the request deadline.
    func perform(_ request: KVRequest) async throws(KVFailure) -> KVReply {
        try Self.validate(request)
        return try await viaLeader(
            isWrite: request.isWrite, wait: request.watch?.wait ?? .zero, local: { node throws(Retry) in try await self.local(request, on: node) },
            wire: request.wire
        ) { response throws(Retry) in
            guard case .kv(let result)? = response.result else { throw Retry(reason: "an answer that is no key-value result") }
            return KVReply(index: result.index, pairs: result.pairs.map(KeyValueStore.Pair.init(wire:)), term: result.term)
        }
    }

    /// Runs `local` on this replica when it may answer (it leads, or `isWrite` is false), else
    /// sends `wire` to the leader and reads its answer with `remote`; retried until a leader
    /// answers or the request deadline (plus a watch's `wait`) passes.
    func viaLeader<Reply: Sendable>(
        isWrite: Bool, wait: Duration, local: (Node) async throws(Retry) -> Reply, wire: Shoal_Wire_V1_LeaderRequest,
        remote: (Shoal_Wire_V1_LeaderResponse) throws(Retry) -> Reply
    ) async throws(KVFailure) -> Reply {
        let deadline = clock.elapsed() + settings.requestDeadline + wait
        var lastProblem = "no leader is known"
        while clock.elapsed() < deadline {
            if Task.isCancelled { throw .unavailable("the request was cancelled") }
            do throws(Retry) {
                if case .replica(let node) = phase, await node.configuration.contains(myself), !isWrite || lastStatus?.role == .leader {
                    return try await local(node)
                }
                return try remote(try await forward(wire, isWrite: isWrite, wait: wait))
            } catch {
                if let failure = error.failure { throw failure }
                lastProblem = error.reason
            }
            try? await clock.sleep(.milliseconds(20))
        }
        throw .unavailable(lastProblem)
    }

    /// A failure worth retrying until the deadline, or (`failure`) one retrying cannot cure.
    struct Retry: Error {
        let reason: String
        var failure: KVFailure? = nil

        static func final(_ failure: KVFailure) -> Retry { Retry(reason: failure.description, failure: failure) }
    }

    static func validate(_ request: KVRequest) throws(KVFailure) {
        switch request {
        case .put(let key, let value, _):
            if let problem = KeyValueStore.problem(key: key) ?? KeyValueStore.problem(value: value) { throw .invalid(problem) }
        case .delete(let key, _):
            if let problem = KeyValueStore.problem(key: key) { throw .invalid(problem) }
        case .read(let key, let list, _, _):
            if !list, let problem = KeyValueStore.problem(key: key) { throw .invalid(problem) }
            if key.utf8.count > KeyValueStore.maximumKeyBytes { throw .invalid("the prefix is over \(KeyValueStore.maximumKeyBytes) bytes") }
        }
    }

    /// `request` on this replica: proposed when it leads, read through the read index otherwise.
    func local(_ request: KVRequest, on node: Node) async throws(Retry) -> KVReply {
        switch request {
        case .put(let key, let value, let cas):
            return try await write(KeyValueStore.put(key, value, cas: cas), on: node)
        case .delete(let key, let cas):
            return try await write(KeyValueStore.delete(key, cas: cas), on: node)
        case .read(let key, let list, let stale, let watch):
            let read: @Sendable (ClusterState) -> KVReply = { state in
                let machine = state.kv
                let pairs = list ? machine.list(prefix: key) : machine.get(key).map { [$0] } ?? []
                return KVReply(index: machine.watchIndex(of: pairs), pairs: pairs)
            }
            return try await watchedRead(node, stale: stale, watch: watch, index: \.index, read)
        }
    }

    /// `read` on this replica (linearizable unless `stale`); with a watch past index 0, read
    /// again as entries apply until `index` of the answer is past the watch's, or its wait ends.
    func watchedRead<Reply: Sendable>(
        _ node: Node, stale: Bool, watch: KVWatch?, index: (Reply) -> LogIndex, _ read: @escaping @Sendable (ClusterState) -> Reply
    ) async throws(Retry) -> Reply {
        var reply: Reply
        var applied: LogIndex
        // The lease is counted in ticks: bring them up to date first, so a leader that was
        // paused past its lease does not answer from it (Jepsen's pause found this).
        await catchUpTicks(node)
        do {
            // Bounded: a read point the core never answers is retried, not waited on for ever.
            (reply, applied) = try await withTimeout(min(settings.requestDeadline, .seconds(2)), clock: clock.clock) {
                try await node.readApplied(stale ? .stale : .linearizable, read)
            }
        } catch {
            throw Retry(reason: "\(error)")
        }
        // Index 0 asks for the current state (Consul's blocking queries do the same).
        guard let watch, watch.index > 0 else { return reply }
        // A watch: after the first (linearizable) read, each entry applied here may move
        // the index; the waits end with the watch's own time. Each wait is for entries past the
        // ones the last read saw, so none applied in between is slept through.
        let deadline = clock.elapsed() + watch.wait
        // A cancelled watch (its client went away, the agent is stopping) ends at once: the
        // waits below return immediately once cancelled, so looping on would spin.
        while index(reply) <= watch.index, !Task.isCancelled {
            let remaining = deadline - clock.elapsed()
            guard remaining > .zero else { break }
            let seen = applied
            _ = try? await withTimeout(remaining, clock: clock.clock) { await node.waitForApplied(past: seen) }
            do {
                (reply, applied) = try await node.readApplied(.stale, read)
            } catch {
                throw Retry(reason: "\(error)")
            }
        }
        return reply
    }

    private func write(_ command: [UInt8], on node: Node) async throws(Retry) -> KVReply {
        let (_, term, outcome) = try await propose(command, on: node)
        switch outcome {
        case .kv(.written(let index)), .kv(.deleted(let index)): return KVReply(index: index, pairs: [], term: term)
        case .kv(.casFailed(let current)): throw Retry.final(.casFailed(current: current))
        case .kv(.invalid(let why)), .invalid(let why): throw Retry.final(.invalid(why))
        case .tasks: throw Retry.final(.invalid("a key-value write applied as a task command"))
        }
    }

    /// Proposes `command` on this leader and waits until it is applied here.
    func propose(_ command: [UInt8], on node: Node) async throws(Retry) -> (index: LogIndex, term: Term, outcome: ClusterState.Outcome) {
        let started = clock.elapsed()
        let result: (index: LogIndex, term: Term, outcome: ClusterState.Outcome)
        do {
            result = try await withTimeout(settings.requestDeadline, clock: clock.clock) { try await node.propose(command) }
        } catch ProposalError.refused(let error) {
            throw Retry(reason: "\(error)")  // never entered the log
        } catch ProposalError.superseded(let index) {
            throw Retry(reason: "lost to a change of leader at index \(index)")  // another entry holds its index for good
        } catch {
            // In the log, but neither committed nor overwritten yet: proposing it again could
            // apply it twice (and a compare-and-set would then report its own write as a conflict).
            throw Retry.final(.indeterminate("\(error)"))
        }
        metrics.proposalLatency.recordNanoseconds(Int64((clock.elapsed() - started) / .nanoseconds(1)))
        return result
    }

    /// Sends `request` to the leader (or, with none known, to the replicas in id order, which
    /// answer with the leader they know) and returns its answer when it is no error.
    private func forward(_ request: Shoal_Wire_V1_LeaderRequest, isWrite: Bool, wait: Duration) async throws(Retry) -> Shoal_Wire_V1_LeaderResponse {
        let others = aliveMembers.filter { $0 != myself }
        guard let target = knownLeader.flatMap({ $0 == myself ? nil : $0 }) ?? (others.isEmpty ? nil : others[forwardAttempt % others.count])
        else { throw Retry(reason: "no other member is alive") }
        forwardAttempt &+= 1
        let sent = SentFlag()
        let response: Shoal_Wire_V1_LeaderResponse
        do {
            response = try await call(target, request, timeout: settings.requestDeadline + wait) { sent.set() }
        } catch {
            if knownLeader == target { knownLeader = nil }
            if sent.isSet, isWrite { throw Retry.final(.indeterminate("\(addresses.name(of: target) ?? "the leader") went away")) }
            throw Retry(reason: "\(addresses.name(of: target) ?? "\(target)") did not answer: \(error)")
        }
        // "Not the leader" carries nothing to fence: the request was not carried out, whatever
        // the answering node's term (a node outside the group answers with term 0).
        if case .error(let error)? = response.result, error.code == .notLeader || error.code == .unavailable {
            _ = fence.admit(response.term)
            knownLeader = ReplicaID(bytes: [UInt8](error.leader)).flatMap { $0 == target ? nil : $0 }
            throw Retry(reason: error.message)
        }
        // Fencing: an answer from a term older than the newest this agent has seen comes from a
        // deposed leader and does not count.
        guard fence.admit(response.term) else {
            knownLeader = nil
            if isWrite { throw Retry.final(.indeterminate("a deposed leader (term \(response.term)) answered")) }
            throw Retry(reason: "a deposed leader (term \(response.term)) answered")
        }
        guard case .error(let error)? = response.result else {
            knownLeader = target
            return response
        }
        switch error.code {
        case .notLeader, .unavailable:
            knownLeader = ReplicaID(bytes: [UInt8](error.leader)).flatMap { $0 == target ? nil : $0 }
            throw Retry(reason: error.message)
        case .invalid: throw Retry.final(.invalid(error.message))
        case .casFailed: throw Retry.final(.casFailed(current: error.exists ? error.current : nil))
        case .notFound: throw Retry.final(.notFound(error.message))
        case .indeterminate: throw Retry.final(.indeterminate(error.message))
        case .UNRECOGNIZED: throw Retry(reason: error.message)
        }
    }

    /// One `leader/1` request to `node`; `onSent` runs once the request is on the wire.
    func call(
        _ node: ReplicaID, _ request: Shoal_Wire_V1_LeaderRequest, timeout: Duration, onSent: @escaping @Sendable () -> Void = {}
    ) async throws -> Shoal_Wire_V1_LeaderResponse {
        guard let (host, port) = addresses.address(of: node), let key = try? PublicKey(bytes: node.bytes) else {
            throw Retry(reason: "no address for \(node)")
        }
        let transport = self.transport
        return try await withTimeout(timeout, clock: clock.clock) {
            try await transport.withConnection(to: host, port: port, protocol: .leader, expecting: key) { connection in
                try await connection.send(request)
                onSent()
                return try await connection.receive(Shoal_Wire_V1_LeaderResponse.self).message
            }
        }
    }

    /// Serves `leader/1` requests on one connection: bootstrap asks from any certified member,
    /// key-value requests only while this replica leads (others are told who does).
    func serve(_ connection: PeerConnection) async {
        guard let peer = ReplicaID(bytes: connection.peer.key.bytes) else { return }
        while true {
            guard let request = try? await connection.receive(Shoal_Wire_V1_LeaderRequest.self).message else { return }
            let response = await answer(request, from: peer)
            do { try await connection.send(response) } catch { return }
        }
    }

    func answer(_ request: Shoal_Wire_V1_LeaderRequest, from peer: ReplicaID) async -> Shoal_Wire_V1_LeaderResponse {
        var response = await answerUnfenced(request, from: peer)
        response.term = lastStatus?.term ?? fence.term
        return response
    }

    private func answerUnfenced(_ request: Shoal_Wire_V1_LeaderRequest, from peer: ReplicaID) async -> Shoal_Wire_V1_LeaderResponse {
        switch request.op {
        case .bootstrap(let ask)?: return answerBootstrap(ask, from: peer)
        case .release(let release)?: return answerRelease(release, from: peer)
        case .transfer(let transfer)?:
            do throws(KVFailure) {
                try await transferLeadership(to: transfer.target.isEmpty ? nil : ReplicaID(bytes: [UInt8](transfer.target)))
                return .with { $0.done = true }
            } catch {
                return .failure(error, leader: knownLeader)
            }
        case .peers?:
            guard let peers = await leaderPeers() else { return .error(.notLeader, "this node does not lead", leader: knownLeader) }
            return .with { $0.peers = peers }
        case nil: return .error(.invalid, "a request with no operation")
        case .task(let task)?:
            guard case .replica = phase, lastStatus?.role == .leader else {
                return .error(knownLeader == nil ? .unavailable : .notLeader, "this node does not lead", leader: knownLeader)
            }
            return await answerTask(task, from: NodeID(bytes: peer.bytes))
        default:
            guard let kv = KVRequest(wire: request) else { return .error(.invalid, "a malformed key-value request") }
            guard case .replica(let node) = phase, lastStatus?.role == .leader else {
                return .error(knownLeader == nil ? .unavailable : .notLeader, "this node does not lead", leader: knownLeader)
            }
            do throws(KVFailure) {
                try Self.validate(kv)
                do throws(Retry) {
                    let reply = try await local(kv, on: node)
                    return .with {
                        $0.kv = .with {
                            $0.index = reply.index
                            $0.term = reply.term
                            $0.pairs = reply.pairs.map(\.wire)
                        }
                    }
                } catch {
                    if let failure = error.failure { throw failure }
                    return .error(.unavailable, error.reason, leader: knownLeader)
                }
            } catch {
                return .failure(error, leader: knownLeader)
            }
        }
    }
}

/// A flag one task sets and another reads (whether a request reached the wire).
final class SentFlag: Sendable {
    private let state = Mutex(false)
    func set() { state.withLock { $0 = true } }
    var isSet: Bool { state.withLock { $0 } }
}

extension KVRequest {
    /// The request a `leader/1` message carries; nil for other operations.
    init?(wire request: Shoal_Wire_V1_LeaderRequest) {
        switch request.op {
        case .put(let put)?: self = .put(key: put.key, value: [UInt8](put.value), cas: put.compare ? put.cas : nil)
        case .delete(let delete)?: self = .delete(key: delete.key, cas: delete.compare ? delete.cas : nil)
        case .read(let read)?:
            let watch = read.waitMs > 0 ? KVWatch(index: read.watchIndex, wait: .milliseconds(Int64(clamping: read.waitMs))) : nil
            self = .read(key: read.key, list: read.list, stale: false, watch: watch)
        default: return nil
        }
    }

    var wire: Shoal_Wire_V1_LeaderRequest {
        var request = Shoal_Wire_V1_LeaderRequest()
        switch self {
        case .put(let key, let value, let cas):
            request.put = .with {
                $0.key = key
                $0.value = Data(value)
                $0.compare = cas != nil
                $0.cas = cas ?? 0
            }
        case .delete(let key, let cas):
            request.delete = .with {
                $0.key = key
                $0.compare = cas != nil
                $0.cas = cas ?? 0
            }
        case .read(let key, let list, _, let watch):
            request.read = .with {
                $0.key = key
                $0.list = list
                if let watch {
                    $0.watchIndex = watch.index
                    $0.waitMs = UInt64(max(1, watch.wait / .milliseconds(1)))
                }
            }
        }
        return request
    }
}

extension KeyValueStore.Pair {
    init(wire pair: Shoal_Wire_V1_KVPair) {
        self.init(key: pair.key, value: [UInt8](pair.value), createIndex: pair.createIndex, modifyIndex: pair.modifyIndex)
    }

    var wire: Shoal_Wire_V1_KVPair {
        .with {
            $0.key = key
            $0.value = Data(value)
            $0.createIndex = createIndex
            $0.modifyIndex = modifyIndex
        }
    }
}

extension Shoal_Wire_V1_LeaderResponse {
    static func failure(_ failure: KVFailure, leader: ReplicaID?) -> Self {
        switch failure {
        case .unavailable(let why): .error(.unavailable, why, leader: leader)
        case .indeterminate(let why): .error(.indeterminate, why, leader: leader)
        case .invalid(let why): .error(.invalid, why)
        case .notFound(let key): .error(.notFound, key)
        case .casFailed(let current):
            .with {
                $0.error = .with {
                    $0.code = .casFailed
                    $0.message = failure.description
                    $0.current = current ?? 0
                    $0.exists = current != nil
                }
            }
        }
    }
}
