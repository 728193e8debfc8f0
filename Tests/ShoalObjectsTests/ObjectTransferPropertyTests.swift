import ShoalMembership
import ShoalTestSupport
import Testing

@testable import ShoalObjects
import ShoalRandom

/// Random gets (seeded, so a failure replays): random holders, lying peers, deaths, timeouts and
/// late replies, with the scheduler's limits checked after every call.
@Suite("object transfer under random events", .offCooperativePool)
struct ObjectTransferPropertyTests {
    /// The shell's view: what it has been asked to request and not yet seen answered or cancelled.
    struct Shell {
        var rng: SeededGenerator
        var transfer: ObjectTransfer
        let holders: [ChunkAddress: Set<NodeID>]
        let liars: Set<NodeID>
        var dead: Set<NodeID> = []
        var outstanding: Set<Pair> = []
        var cancelled: [Pair] = []
        var outcome: TransferAction?
        var violations: [String] = []

        struct Pair: Hashable {
            var chunk: ChunkAddress
            var peer: NodeID
        }

        mutating func apply(_ actions: [TransferAction]) {
            for action in actions {
                switch action {
                case .request(let chunk, let peer):
                    if outstanding.contains(where: { $0.chunk == chunk }) && !transfer.isEndGame {
                        violations.append("duplicate request for \(chunk) outside the end game")
                    }
                    if dead.contains(peer) || !holders[chunk, default: []].contains(peer) {
                        violations.append("request for \(chunk) to \(peer), which is dead or does not hold it")
                    }
                    if !outstanding.insert(Pair(chunk: chunk, peer: peer)).inserted {
                        violations.append("the same request twice: \(chunk) from \(peer)")
                    }
                case .cancel(let chunk, let peer):
                    if outstanding.remove(Pair(chunk: chunk, peer: peer)) == nil {
                        violations.append("cancel of a request never made: \(chunk) at \(peer)")
                    }
                    cancelled.append(Pair(chunk: chunk, peer: peer))
                case .done, .failed:
                    outcome = action
                }
            }
            let perPeer = Dictionary(grouping: outstanding, by: \.peer)
            if perPeer.values.contains(where: { $0.count > transfer.limits.requestsPerPeer }) {
                violations.append("a peer's window was exceeded")
            }
            if transfer.bytesInFlight > transfer.limits.maximumBytesInFlight { violations.append("byte cap exceeded") }
            if Dictionary(grouping: outstanding, by: \.peer).mapValues({ Set($0.map(\.chunk)) }) != transfer.outstandingRequests {
                violations.append("the transfer's outstanding requests differ from what it asked for")
            }
        }

        /// One shell event: mostly a reply, sometimes a timeout, a death or a late reply.
        mutating func step(mortal: [NodeID]) {
            let roll = Int.random(in: 0..<100, using: &rng)
            if roll < 5, let victim = mortal.filter({ !dead.contains($0) }).randomElement(using: &rng) {
                dead.insert(victim)
                outstanding = outstanding.filter { $0.peer != victim }
                apply(transfer.peerDied(victim))
            } else if roll < 10, let late = cancelled.filter({ !dead.contains($0.peer) }).randomElement(using: &rng) {
                // A reply carries only chunk and peer: if the same request was made again, this answers it.
                outstanding.remove(late)
                apply(transfer.chunkArrived(late.chunk, from: late.peer, verified: !liars.contains(late.peer)))
            } else if let pair = outstanding.sorted(by: { ($0.chunk, $0.peer) < ($1.chunk, $1.peer) }).randomElement(using: &rng) {
                outstanding.remove(pair)
                if roll < 15 {
                    outstanding.insert(pair)  // the cancel the transfer answers removes it
                    apply(transfer.requestTimedOut(pair.chunk, at: pair.peer))
                } else {
                    apply(transfer.chunkArrived(pair.chunk, from: pair.peer, verified: !liars.contains(pair.peer)))
                }
            }
        }
    }

    @Test("a get completes whenever an honest holder of every chunk survives, within its windows and byte cap", arguments: Array(UInt64(1)...40))
    func completes(seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        let peers = Fixture.nodes(Int.random(in: 2...8, using: &rng), from: seed * 100)
        let liars = Set(peers.dropFirst().filter { _ in Int.random(in: 0..<4, using: &rng) == 0 })
        let honest = peers.filter { !liars.contains($0) }
        let count = Int.random(in: 1...60, using: &rng)
        // Some addresses repeat, as identical chunks do.
        let addresses = (0..<count).map { _ in Fixture.address(Int.random(in: 0..<max(1, count * 3 / 4), using: &rng)) }
        let manifest = try Manifest(totalLength: UInt64(count * 1_024 - 17), chunkSize: Fixture.kib, chunks: addresses)
        var holders: [ChunkAddress: Set<NodeID>] = [:]
        var survivors: Set<NodeID> = []
        for address in Set(addresses).sorted() {
            let survivor = honest.randomElement(using: &rng)!
            survivors.insert(survivor)
            holders[address] = Set(peers.filter { _ in Bool.random(using: &rng) }).union([survivor])
        }
        let limits = TransferLimits(
            requestsPerPeer: Int.random(in: 1...4, using: &rng), maximumBytesInFlight: Int.random(in: 1...8, using: &rng) * 1_024,
            endGameDuplicates: Int.random(in: 0...2, using: &rng), failuresBeforeExclusion: Int.random(in: 1...3, using: &rng))
        var shell = Shell(
            rng: rng, transfer: try ObjectTransfer(manifest: manifest, holders: holders, limits: limits), holders: holders, liars: liars)
        shell.apply(shell.transfer.start())
        var steps = 0
        while shell.outcome == nil && steps < 10_000 {
            shell.step(mortal: peers.filter { !survivors.contains($0) })
            steps += 1
        }
        #expect(shell.violations.isEmpty, "seed \(seed): \(shell.violations.prefix(3))")
        #expect(shell.outcome == TransferAction.done, "seed \(seed): ended with \(String(describing: shell.outcome)) after \(steps) steps")
    }
}
