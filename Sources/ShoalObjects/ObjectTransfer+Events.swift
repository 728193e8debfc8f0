public import ShoalMembership

extension ObjectTransfer {
    /// The reply to a request: `verified` is the shell's check of the bytes against the address
    /// (`ChunkAddress.isAddress(of:)`). Verified bytes finish the chunk and cancel its duplicates;
    /// bad bytes refuse the chunk from `peer`, count a strike against it (excluding it from the
    /// transfer at `failuresBeforeExclusion`) and re-plan the chunk from another holder. Replies
    /// for chunks already finished, or for unknown addresses, change nothing.
    public mutating func chunkArrived(_ address: ChunkAddress, from peer: NodeID, verified: Bool) -> [TransferAction] {
        guard !isFinished, let index = unitOf[address], !units[index].isDone else { return [] }
        var actions: [TransferAction] = []
        clearRequest(index, at: peer)
        if verified {
            units[index].isDone = true
            remaining -= 1
            for other in units[index].requestedFrom.sorted() {
                clearRequest(index, at: other)
                actions.append(.cancel(chunk: address, at: other))
            }
        } else {
            units[index].refused.insert(peer)
            strikes[peer, default: 0] += 1
            if strikes[peer]! >= limits.failuresBeforeExclusion, !excluded.contains(peer) {
                excluded.insert(peer)
                for other in (outstanding[peer] ?? []).sorted() {
                    clearRequest(other, at: peer)
                    actions.append(.cancel(chunk: units[other].address, at: peer))
                }
            }
        }
        settle(into: &actions)
        return actions
    }

    /// A request that got no reply in the shell's deadline: the request is cancelled and the chunk
    /// re-planned, from another holder if one has room (no strike: slow is not dishonest, and a
    /// slow peer that is the chunk's last holder is asked again rather than given up on).
    public mutating func requestTimedOut(_ address: ChunkAddress, at peer: NodeID) -> [TransferAction] {
        guard !isFinished, let index = unitOf[address], units[index].requestedFrom.contains(peer) else { return [] }
        clearRequest(index, at: peer)
        units[index].slow.insert(peer)
        var actions: [TransferAction] = [.cancel(chunk: address, at: peer)]
        settle(into: &actions)
        return actions
    }

    /// `peer` died or left: only its outstanding chunks are re-planned (nothing is cancelled;
    /// there is no one to tell), every other request stays as it is.
    public mutating func peerDied(_ peer: NodeID) -> [TransferAction] {
        guard !isFinished, !dead.contains(peer) else { return [] }
        dead.insert(peer)
        for index in outstanding[peer] ?? [] { clearRequest(index, at: peer) }
        var actions: [TransferAction] = []
        settle(into: &actions)
        return actions
    }

    mutating func clearRequest(_ index: Int, at peer: NodeID) {
        guard units[index].requestedFrom.remove(peer) != nil else { return }
        outstanding[peer]?.remove(index)
        bytesInFlight -= units[index].size
    }
}
