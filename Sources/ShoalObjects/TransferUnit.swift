import ShoalMembership

/// One distinct chunk of the transfer and its scheduling state.
struct TransferUnit: Sendable {
    let address: ChunkAddress
    let size: Int
    let holders: Set<NodeID>
    /// Peers that sent bad bytes for this chunk: never asked for it again.
    var refused: Set<NodeID> = []
    /// Peers whose request for this chunk timed out: asked again only when no other holder can be.
    var slow: Set<NodeID> = []
    var requestedFrom: Set<NodeID> = []
    var isDone = false
}
