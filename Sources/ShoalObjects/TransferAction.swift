public import ShoalMembership

/// What the shell must do after a call into `ObjectTransfer`, in the order given: cancels come
/// before the requests that follow them, and `done` or `failed` comes last.
public enum TransferAction: Hashable, Sendable {
    /// Ask `from` for the chunk at `chunk`; report the answer with `chunkArrived`.
    case request(chunk: ChunkAddress, from: NodeID)
    /// Withdraw an outstanding request: another peer delivered the chunk first (end game), or the
    /// peer was excluded. A reply that still arrives is ignored.
    case cancel(chunk: ChunkAddress, at: NodeID)
    /// Every chunk arrived and verified.
    case done
    /// These chunks have no alive, trusted holder left: the get cannot complete (the shell may
    /// ask the directory again and start a new transfer for them). Outstanding requests were
    /// cancelled just before.
    case failed(missing: [ChunkAddress])
}
