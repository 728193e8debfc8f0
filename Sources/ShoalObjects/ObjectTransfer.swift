public import ShoalMembership

/// The pure chunk scheduler of one get (DESIGN "Objects": "pulls chunks from several holders in
/// parallel"), after BitTorrent's piece picker (Cohen, "Incentives Build Robustness in
/// BitTorrent", 2003, §2.3): rarest chunk first, a bounded pipeline of requests per peer, no
/// chunk asked of two peers until every remaining chunk has been asked of one (the end game),
/// and cancels for the duplicates once one copy arrives.
///
/// It does no I/O and keeps no clock: the shell feeds it `chunkArrived`, `requestTimedOut` and
/// `peerDied`, and carries out the `TransferAction`s each call returns. Identical chunks (one
/// address at several offsets) are fetched once.
///
/// Invariants every call keeps (the tests check them after every step): outstanding requests
/// per peer ≤ `requestsPerPeer`; bytes outstanding ≤ `maximumBytesInFlight`; a chunk has two
/// outstanding requests only in the end game; no peer is asked for a chunk it does not hold, or
/// after it died, or after it failed that chunk, or after its exclusion.
public struct ObjectTransfer: Sendable {
    /// The limits in force.
    public let limits: TransferLimits

    var units: [TransferUnit] = []
    var unitOf: [ChunkAddress: Int] = [:]
    var outstanding: [NodeID: Set<Int>] = [:]
    var dead: Set<NodeID> = []
    var excluded: Set<NodeID> = []
    var strikes: [NodeID: Int] = [:]
    var remaining = 0
    /// Bytes of every outstanding request, duplicates counted.
    public internal(set) var bytesInFlight = 0
    /// True once `done` or `failed` was returned; every later call returns nothing.
    public internal(set) var isFinished = false

    /// A transfer of `manifest`'s distinct chunks from `holders` (who holds which chunk; a chunk
    /// missing from the map has no holder, and the first schedule fails the transfer).
    public init(manifest: Manifest, holders: [ChunkAddress: Set<NodeID>], limits: TransferLimits = .standard) throws(TransferError) {
        guard limits.requestsPerPeer >= 1 else { throw .limitOutOfRange(name: "requestsPerPeer", value: limits.requestsPerPeer) }
        guard limits.endGameDuplicates >= 0 else { throw .limitOutOfRange(name: "endGameDuplicates", value: limits.endGameDuplicates) }
        guard limits.failuresBeforeExclusion >= 1 else {
            throw .limitOutOfRange(name: "failuresBeforeExclusion", value: limits.failuresBeforeExclusion)
        }
        let largest = manifest.chunkCount == 0 ? 0 : manifest.size(ofChunk: 0)
        guard limits.maximumBytesInFlight >= max(largest, 1) else {
            throw .byteCapBelowChunkSize(cap: limits.maximumBytesInFlight, chunkSize: largest)
        }
        self.limits = limits
        for (index, address) in manifest.chunks.enumerated() where unitOf[address] == nil {
            unitOf[address] = units.count
            units.append(TransferUnit(address: address, size: manifest.size(ofChunk: index), holders: holders[address] ?? []))
        }
        remaining = units.count
    }

    /// A transfer where every node of `holders` holds the whole object (the directory's answer).
    public init(manifest: Manifest, holders: Set<NodeID>, limits: TransferLimits = .standard) throws(TransferError) {
        try self.init(manifest: manifest, holders: Dictionary(manifest.chunks.map { ($0, holders) }) { first, _ in first }, limits: limits)
    }

    /// The first requests (or `done` at once for an empty object, `failed` for an unheld chunk).
    public mutating func start() -> [TransferAction] {
        var actions: [TransferAction] = []
        settle(into: &actions)
        return actions
    }

    /// Distinct chunks not yet arrived and verified.
    public var remainingChunks: Int { remaining }

    /// The outstanding requests, by peer.
    public var outstandingRequests: [NodeID: Set<ChunkAddress>] {
        outstanding.filter { !$0.value.isEmpty }.mapValues { indices in Set(indices.map { units[$0].address }) }
    }

    /// True when every chunk still missing has at least one outstanding request: the phase in
    /// which duplicates may be asked (BitTorrent's end game).
    public var isEndGame: Bool {
        remaining > 0 && units.allSatisfy { $0.isDone || !$0.requestedFrom.isEmpty }
    }
}
