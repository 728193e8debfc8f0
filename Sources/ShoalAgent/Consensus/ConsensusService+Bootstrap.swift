import Foundation
import ShoalConsensus
import ShoalCrypto
import ShoalTransport
import ShoalWire

/// Founding the group (`Bootstrap` says the rules; this carries them out).
extension ConsensusService {
    /// Plans from the members seen; as the coordinator, asks for promises and founds the group,
    /// joins an existing one, or releases and waits before trying again.
    func attemptBootstrap() async {
        guard case .outside = phase, standing != .member, !groupExists, knownLeader == nil, clock.elapsed() >= nextAttempt else { return }
        guard case .coordinate(let founders, let others) = Bootstrap.plan(me: myself, alive: aliveMembers, expect: settings.bootstrapExpect)
        else { return }
        let mine = Bootstrap.Promise(coordinator: myself, voters: founders)
        switch standing {
        case .promised(let promise) where promise != mine:
            return  // promised to another coordinator: its attempt decides
        case .free:
            guard keep(.promised(mine)) else { return }
        default:
            break
        }
        logger.info("bootstrap: asking for promises", metadata: ["founders": "\(founders.map { addresses.name(of: $0) ?? "\($0)" })"])
        var answers: [ReplicaID: Bootstrap.Standing] = [myself: .promised(mine)]
        await withTaskGroup(of: (ReplicaID, Bootstrap.Standing?).self) { group in
            for node in founders + others where node != myself {
                group.addTask { (node, await self.ask(node, voters: founders, promise: founders.contains(node))) }
            }
            for await (node, answer) in group { if let answer { answers[node] = answer } }
        }
        // Another turn of this actor may have moved on meanwhile (a founder's Raft arrived).
        guard case .outside = phase, standing == .promised(mine) else { return }
        switch Bootstrap.outcome(me: myself, founders: founders, answers: answers) {
        case .found:
            do {
                try becomeReplica(founding: founders)
                if case .replica(let node) = phase { await node.campaign() }
            } catch {
                fail("the Raft log cannot be opened: \(error)")
            }
        case .join:
            await release(founders, answers: answers)
            logger.info("bootstrap: a group exists; this agent is its client until its leader adds it")
            groupExists = true
        case .retry:
            await release(founders, answers: answers)
            let missing = founders.filter { answers[$0] != .promised(mine) }.map { addresses.name(of: $0) ?? "\($0)" }
            logger.info("bootstrap: not every founder promised; retrying", metadata: ["missing": "\(missing)"])
            nextAttempt = clock.elapsed() + .milliseconds(Int64.random(in: 500...2_000))
        }
    }

    /// Gives back the promises of an attempt that did not found the group, this node's first.
    private func release(_ founders: [ReplicaID], answers: [ReplicaID: Bootstrap.Standing]) async {
        _ = keep(.free)
        let mine = Bootstrap.Promise(coordinator: myself, voters: founders)
        await withTaskGroup(of: Void.self) { group in
            for (node, answer) in answers where node != myself && answer == .promised(mine) {
                group.addTask {
                    var request = Shoal_Wire_V1_LeaderRequest()
                    request.release = .with { $0.voters = founders.map { Data($0.bytes) } }
                    _ = try? await self.call(node, request, timeout: .seconds(2))
                }
            }
        }
    }

    /// `node`'s standing, asking it to promise when `promise`; nil if it did not answer.
    private func ask(_ node: ReplicaID, voters: [ReplicaID], promise: Bool) async -> Bootstrap.Standing? {
        var request = Shoal_Wire_V1_LeaderRequest()
        request.bootstrap = .with {
            $0.voters = voters.map { Data($0.bytes) }
            $0.promise = promise
        }
        guard let response = try? await call(node, request, timeout: .seconds(2)), case .answer(let answer)? = response.result else {
            return nil
        }
        switch answer.state {
        case .free: return .free
        case .member: return .member
        case .promised:
            guard let coordinator = ReplicaID(bytes: [UInt8](answer.coordinator)) else { return nil }
            let voters = answer.voters.compactMap { ReplicaID(bytes: [UInt8]($0)) }
            return .promised(Bootstrap.Promise(coordinator: coordinator, voters: voters))
        case .UNRECOGNIZED: return nil
        }
    }

    /// Answers a bootstrap ask from `peer`, keeping a new promise durably before saying so.
    func answerBootstrap(_ ask: Shoal_Wire_V1_BootstrapAsk, from peer: ReplicaID) -> Shoal_Wire_V1_LeaderResponse {
        guard ask.voters.count <= Bootstrap.maximumFounders else {
            return .error(.invalid, "\(ask.voters.count) founders; a group is founded by at most \(Bootstrap.maximumFounders)")
        }
        let voters = ask.voters.compactMap { ReplicaID(bytes: [UInt8]($0)) }
        guard voters.count == ask.voters.count else { return .error(.invalid, "a founder id is not 32 bytes") }
        if case .outside = phase {
            let next = Bootstrap.answer(ask: voters, from: peer, promise: ask.promise, me: myself, standing: standing)
            if next != standing, !keep(next) { return .error(.unavailable, "the promise could not be stored") }
        }
        var answer = Shoal_Wire_V1_BootstrapAnswer()
        switch standing {
        case .free: answer.state = .free
        case .member:
            answer.state = .member
            if let leader = knownLeader { answer.leader = Data(leader.bytes) }
        case .promised(let promise):
            answer.state = .promised
            answer.coordinator = Data(promise.coordinator.bytes)
            answer.voters = promise.voters.map { Data($0.bytes) }
        }
        return .with { $0.answer = answer }
    }

    /// Frees the promise `peer` made us keep for `voters`.
    func answerRelease(_ release: Shoal_Wire_V1_BootstrapRelease, from peer: ReplicaID) -> Shoal_Wire_V1_LeaderResponse {
        let voters = release.voters.compactMap { ReplicaID(bytes: [UInt8]($0)) }
        if case .outside = phase {
            let next = Bootstrap.release(voters: voters, from: peer, standing: standing)
            if next != standing { _ = keep(next) }
        }
        return .with { $0.done = true }
    }

    /// Makes `next` this node's standing, on disk first; false (and unchanged) if it cannot be stored.
    func keep(_ next: Bootstrap.Standing) -> Bool {
        do {
            switch next {
            case .promised(let promise): try PromiseFile.save(promise, at: settings.promisePath)
            case .free, .member: PromiseFile.remove(settings.promisePath)
            }
        } catch {
            logger.error("bootstrap promise not stored", metadata: ["error": "\(error)"])
            return false
        }
        standing = next
        return true
    }
}

/// The bootstrap promise on disk (`<state_dir>/raft.promise`): `SHOALBP1`, the coordinator's
/// 32-byte id, a count, and that many 32-byte founder ids. Replaced atomically and fsynced, so a
/// crash leaves the old promise or the new one.
enum PromiseFile {
    struct Malformed: Error, CustomStringConvertible {
        let path: String
        var description: String {
            "\(path) is not a bootstrap promise (remove it only if this node never joined a group: it records a promise to found one)"
        }
    }

    private static let magic = Array("SHOALBP1".utf8)

    static func save(_ promise: Bootstrap.Promise, at path: String) throws {
        var bytes = magic + promise.coordinator.bytes
        bytes.append(UInt8(promise.voters.count))
        for voter in promise.voters { bytes += voter.bytes }
        try DurableFile.replace(bytes, at: path)
    }

    static func load(_ path: String) throws -> Bootstrap.Promise? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let bytes = [UInt8](data)
        guard bytes.count >= magic.count + 33, Array(bytes.prefix(magic.count)) == magic else { throw Malformed(path: path) }
        let count = Int(bytes[magic.count + 32])
        guard bytes.count == magic.count + 33 + 32 * count, let coordinator = ReplicaID(bytes: Array(bytes[magic.count..<magic.count + 32]))
        else { throw Malformed(path: path) }
        let voters = (0..<count).compactMap { i in ReplicaID(bytes: Array(bytes[(magic.count + 33 + 32 * i)..<(magic.count + 65 + 32 * i)])) }
        guard Bootstrap.isWellFormed(voters: voters, coordinator: coordinator) else { throw Malformed(path: path) }
        return Bootstrap.Promise(coordinator: coordinator, voters: voters)
    }

    static func remove(_ path: String) {
        unlink(path)
    }
}

extension Shoal_Wire_V1_LeaderResponse {
    static func error(_ code: Shoal_Wire_V1_LeaderError.Code, _ message: String, leader: ReplicaID? = nil) -> Self {
        .with {
            $0.error = .with {
                $0.code = code
                $0.message = message
                if let leader { $0.leader = Data(leader.bytes) }
            }
        }
    }
}
