/// The bounds a get's `ObjectTransfer` schedules within.
public struct TransferLimits: Hashable, Sendable {
    /// Requests outstanding at one peer at a time (BitTorrent's per-peer request pipeline):
    /// enough to keep a link busy, few enough that a slow peer holds back little.
    public var requestsPerPeer: Int
    /// Uncompressed bytes of all outstanding requests together: what the receiving agent may
    /// have to buffer at once, whatever the object's size.
    public var maximumBytesInFlight: Int
    /// Extra requests per chunk in the end game (each remaining chunk is asked of at most
    /// `1 + endGameDuplicates` peers); 0 turns the end game off.
    public var endGameDuplicates: Int
    /// Failed verifications after which a peer is excluded from the whole transfer.
    public var failuresBeforeExclusion: Int

    /// Four requests per peer, 16 MiB in flight, one end-game duplicate, exclusion at the second
    /// bad chunk.
    public static let standard = TransferLimits(
        requestsPerPeer: 4, maximumBytesInFlight: 16 << 20, endGameDuplicates: 1, failuresBeforeExclusion: 2)

    /// Limits as given; `ObjectTransfer.init` checks them against the object.
    public init(requestsPerPeer: Int, maximumBytesInFlight: Int, endGameDuplicates: Int, failuresBeforeExclusion: Int) {
        self.requestsPerPeer = requestsPerPeer
        self.maximumBytesInFlight = maximumBytesInFlight
        self.endGameDuplicates = endGameDuplicates
        self.failuresBeforeExclusion = failuresBeforeExclusion
    }
}
