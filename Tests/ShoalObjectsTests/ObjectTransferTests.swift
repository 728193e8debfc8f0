import ShoalMembership
import Testing

@testable import ShoalObjects

/// The get scheduler, rule by rule (BitTorrent's piece picker: rarest first, request pipelines,
/// end game with cancels).
@Suite("object transfer")
struct ObjectTransferTests {
    /// Sorted, so ties between equally loaded holders go to p0 first.
    static let peers = Fixture.nodes(4).sorted()
    static let p0 = peers[0], p1 = peers[1], p2 = peers[2], p3 = peers[3]
    static let a = Fixture.address(0), b = Fixture.address(1), c = Fixture.address(2)

    static func limits(window: Int = 4, cap: Int = 1 << 20, duplicates: Int = 1, strikes: Int = 2) -> TransferLimits {
        TransferLimits(requestsPerPeer: window, maximumBytesInFlight: cap, endGameDuplicates: duplicates, failuresBeforeExclusion: strikes)
    }

    static func transfer(chunks: Int, holders: Set<NodeID> = Set(peers), limits: TransferLimits = limits()) -> ObjectTransfer {
        try! ObjectTransfer(manifest: Fixture.manifest(chunks: chunks), holders: holders, limits: limits)
    }

    static func requests(_ actions: [TransferAction]) -> [ChunkAddress] {
        actions.compactMap { if case .request(let chunk, _) = $0 { chunk } else { nil } }
    }

    @Test("the chunk with the fewest holders is requested first")
    func rarestFirst() throws {
        let manifest = Fixture.manifest(chunks: 3)
        var transfer = try ObjectTransfer(
            manifest: manifest, holders: [Self.a: [Self.p0, Self.p1, Self.p2], Self.b: [Self.p0, Self.p1], Self.c: [Self.p2]],
            limits: Self.limits(window: 1))
        #expect(transfer.start().first == .request(chunk: Self.c, from: Self.p2))
    }

    @Test("a peer is never asked for more than its window at once")
    func perPeerWindow() {
        var transfer = Self.transfer(chunks: 10, holders: [Self.p0], limits: Self.limits(window: 3))
        #expect(transfer.start().count == 3 && transfer.outstandingRequests[Self.p0]?.count == 3)
    }

    @Test("requests spread over holders: the least-loaded holder gets the next chunk")
    func spread() {
        var transfer = Self.transfer(chunks: 8, limits: Self.limits(window: 2))
        _ = transfer.start()
        #expect(Self.peers.allSatisfy { transfer.outstandingRequests[$0]?.count == 2 })
    }

    @Test("the bytes of all outstanding requests stay within the cap")
    func byteCap() {
        var transfer = Self.transfer(chunks: 10, limits: Self.limits(cap: 3 * 1_024))
        #expect(transfer.start().count == 3 && transfer.bytesInFlight == 3 * 1_024)
    }

    @Test("no chunk is asked of two peers while some chunk has not been asked of any")
    func noDuplicateBeforeEndGame() throws {
        // p0's window fills with b and c, so d waits; p2 has room and holds a, already asked of p1.
        let d = Fixture.address(3)
        var transfer = try ObjectTransfer(
            manifest: Fixture.manifest(chunks: 4), holders: [Self.a: [Self.p1, Self.p2], Self.b: [Self.p0], Self.c: [Self.p0], d: [Self.p0]],
            limits: Self.limits(window: 2))
        #expect(transfer.start() == [.request(chunk: Self.b, from: Self.p0), .request(chunk: Self.c, from: Self.p0), .request(chunk: Self.a, from: Self.p1)])
        #expect(!transfer.isEndGame)
    }

    @Test("in the end game each remaining chunk is also asked of a second holder")
    func endGameDuplicates() {
        var transfer = Self.transfer(chunks: 2, holders: [Self.p0, Self.p1], limits: Self.limits(window: 2))
        let requests = Self.requests(transfer.start())
        #expect(transfer.isEndGame && requests.count == 4 && Set(requests) == [Self.a, Self.b])
    }

    @Test("with end-game duplicates set to 0, a chunk is never asked twice")
    func endGameOff() {
        var transfer = Self.transfer(chunks: 2, holders: [Self.p0, Self.p1], limits: Self.limits(window: 2, duplicates: 0))
        #expect(transfer.start().count == 2)
    }

    @Test("the first verified copy of a chunk cancels its duplicate")
    func cancelOnArrival() {
        var transfer = Self.transfer(chunks: 1, holders: [Self.p0, Self.p1])
        _ = transfer.start()
        #expect(transfer.chunkArrived(Self.a, from: Self.p1, verified: true) == [.cancel(chunk: Self.a, at: Self.p0), .done])
    }

    @Test("a chunk that fails verification is re-requested from another holder, never from the one that sent it")
    func badChunkReplanned() {
        var transfer = Self.transfer(chunks: 1, holders: [Self.p0, Self.p1], limits: Self.limits(duplicates: 0))
        guard case .request(_, let first) = transfer.start().first else { Issue.record("no request"); return }
        let other = first == Self.p0 ? Self.p1 : Self.p0
        #expect(transfer.chunkArrived(Self.a, from: first, verified: false) == [.request(chunk: Self.a, from: other)])
        #expect(transfer.chunkArrived(Self.a, from: other, verified: false) == [.failed(missing: [Self.a])])
    }

    @Test("a peer that fails verification `failuresBeforeExclusion` times is excluded and its requests cancelled")
    func exclusion() {
        // Six chunks over p0 and p1, three each: p0 is asked for chunks 0, 2 and 4.
        var transfer = Self.transfer(chunks: 6, holders: [Self.p0, Self.p1], limits: Self.limits(window: 3, duplicates: 0, strikes: 2))
        _ = transfer.start()
        #expect(transfer.chunkArrived(Fixture.address(0), from: Self.p0, verified: false).isEmpty)
        #expect(transfer.chunkArrived(Fixture.address(2), from: Self.p0, verified: false) == [.cancel(chunk: Fixture.address(4), at: Self.p0)])
        #expect(transfer.chunkArrived(Fixture.address(1), from: Self.p1, verified: true) == [.request(chunk: Fixture.address(0), from: Self.p1)])
    }

    @Test("when a peer dies only its outstanding chunks are re-planned; every other request stands")
    func peerDied() throws {
        let d = Fixture.address(3)
        var transfer = try ObjectTransfer(
            manifest: Fixture.manifest(chunks: 4), holders: [Self.a: [Self.p0, Self.p2], Self.b: [Self.p0, Self.p2], Self.c: [Self.p1], d: [Self.p1]],
            limits: Self.limits(window: 2, duplicates: 0))
        _ = transfer.start()
        #expect(transfer.outstandingRequests == [Self.p0: [Self.a], Self.p1: [Self.c, d], Self.p2: [Self.b]])
        #expect(transfer.peerDied(Self.p0) == [.request(chunk: Self.a, from: Self.p2)])
        #expect(transfer.outstandingRequests == [Self.p1: [Self.c, d], Self.p2: [Self.a, Self.b]])
    }

    @Test("when the last holder of a chunk dies the transfer fails, cancelling what is outstanding")
    func failsWhenNoHolderLeft() throws {
        var transfer = try ObjectTransfer(
            manifest: Fixture.manifest(chunks: 2), holders: [Self.a: [Self.p0], Self.b: [Self.p1]], limits: Self.limits())
        _ = transfer.start()
        #expect(transfer.peerDied(Self.p0) == [.cancel(chunk: Self.b, at: Self.p1), .failed(missing: [Self.a])])
        #expect(transfer.isFinished && transfer.chunkArrived(Self.b, from: Self.p1, verified: true).isEmpty)
    }

    @Test("the transfer is done when every distinct chunk has arrived verified")
    func done() {
        var transfer = Self.transfer(chunks: 2, holders: [Self.p0], limits: Self.limits(duplicates: 0))
        _ = transfer.start()
        #expect(transfer.chunkArrived(Self.a, from: Self.p0, verified: true).isEmpty)
        #expect(transfer.chunkArrived(Self.b, from: Self.p0, verified: true) == [.done] && transfer.bytesInFlight == 0)
    }

    @Test("a chunk that appears twice in the object is fetched once")
    func identicalChunksOnce() throws {
        let manifest = try Manifest(totalLength: 3 * 1_024, chunkSize: Fixture.kib, chunks: [Self.a, Self.b, Self.a])
        var transfer = try ObjectTransfer(manifest: manifest, holders: [Self.p0], limits: Self.limits(duplicates: 0))
        #expect(Self.requests(transfer.start()) == [Self.a, Self.b])
    }

    @Test("a reply that arrives after its cancel changes nothing")
    func lateReplyIgnored() {
        var transfer = Self.transfer(chunks: 2, holders: [Self.p0, Self.p1])
        _ = transfer.start()
        _ = transfer.chunkArrived(Self.a, from: Self.p0, verified: true)
        #expect(transfer.chunkArrived(Self.a, from: Self.p1, verified: true).isEmpty)
    }

    @Test("a timed-out request is cancelled and re-planned from another holder")
    func timeout() {
        var transfer = Self.transfer(chunks: 1, holders: [Self.p0, Self.p1], limits: Self.limits(duplicates: 0))
        guard case .request(_, let first) = transfer.start().first else { Issue.record("no request"); return }
        let other = first == Self.p0 ? Self.p1 : Self.p0
        #expect(transfer.requestTimedOut(Self.a, at: first) == [.cancel(chunk: Self.a, at: first), .request(chunk: Self.a, from: other)])
    }

    @Test("an empty object is done at once; a chunk no one holds fails at once")
    func trivialOutcomes() throws {
        var empty = try ObjectTransfer(manifest: Manifest(totalLength: 0, chunkSize: Fixture.kib, chunks: []), holders: Set<NodeID>())
        var unheld = try ObjectTransfer(manifest: Fixture.manifest(chunks: 1), holders: [:])
        #expect(empty.start() == [.done] && unheld.start() == [.failed(missing: [Self.a])])
    }

    @Test("limits that could never make progress are refused")
    func limitsChecked() {
        #expect(throws: TransferError.byteCapBelowChunkSize(cap: 1_000, chunkSize: 1_024)) {
            try ObjectTransfer(manifest: Fixture.manifest(chunks: 2), holders: Set(Self.peers), limits: Self.limits(cap: 1_000))
        }
        #expect(throws: TransferError.limitOutOfRange(name: "requestsPerPeer", value: 0)) {
            try ObjectTransfer(manifest: Fixture.manifest(chunks: 2), holders: Set(Self.peers), limits: Self.limits(window: 0))
        }
    }
}
