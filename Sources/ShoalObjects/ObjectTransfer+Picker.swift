import ShoalMembership

extension ObjectTransfer {
    /// Finishes or fails the transfer if it is over, else issues every request the limits allow.
    mutating func settle(into actions: inout [TransferAction]) {
        if remaining == 0 {
            isFinished = true
            actions.append(.done)
            return
        }
        let stranded = units.indices.filter { isStranded(units[$0]) }
        if !stranded.isEmpty {
            for (peer, indices) in outstanding.sorted(by: { $0.key < $1.key }) {
                for index in indices.sorted() {
                    clearRequest(index, at: peer)
                    actions.append(.cancel(chunk: units[index].address, at: peer))
                }
            }
            isFinished = true
            actions.append(.failed(missing: stranded.map { units[$0].address }))
            return
        }
        pick(into: &actions, duplicates: false)
        if isEndGame, limits.endGameDuplicates > 0 { pick(into: &actions, duplicates: true) }
    }

    /// Rarest first: chunks with the fewest usable holders go first, ties in object order (so a
    /// get that streams to a file mostly writes forward). Each goes to its least-loaded usable
    /// holder with room in its window (one that timed out on it only if no other can take it),
    /// while the byte cap allows. In the duplicate pass (end
    /// game), chunks already asked of fewer than `1 + endGameDuplicates` peers get one more.
    mutating func pick(into actions: inout [TransferAction], duplicates: Bool) {
        let candidates = units.indices.filter { index in
            let unit = units[index]
            guard !unit.isDone else { return false }
            return duplicates
                ? !unit.requestedFrom.isEmpty && unit.requestedFrom.count <= limits.endGameDuplicates
                : unit.requestedFrom.isEmpty
        }
        let rarity = Dictionary(uniqueKeysWithValues: candidates.map { index in
            (index, units[index].holders.count(where: { usable($0) && !units[index].refused.contains($0) }))
        })
        for index in candidates.sorted(by: { (rarity[$0]!, $0) < (rarity[$1]!, $1) }) {
            guard bytesInFlight + units[index].size <= limits.maximumBytesInFlight else { continue }
            let choices = units[index].holders.filter { peer in
                usable(peer) && !units[index].refused.contains(peer) && !units[index].requestedFrom.contains(peer)
                    && (outstanding[peer]?.count ?? 0) < limits.requestsPerPeer
            }
            let unit = units[index]
            func preference(_ peer: NodeID) -> (Int, Int, NodeID) {
                (unit.slow.contains(peer) ? 1 : 0, outstanding[peer]?.count ?? 0, peer)
            }
            guard let peer = choices.min(by: { preference($0) < preference($1) }) else { continue }
            units[index].requestedFrom.insert(peer)
            outstanding[peer, default: []].insert(index)
            bytesInFlight += units[index].size
            actions.append(.request(chunk: units[index].address, from: peer))
        }
    }

    /// A peer that may still be asked for something: alive and not excluded.
    func usable(_ peer: NodeID) -> Bool {
        !dead.contains(peer) && !excluded.contains(peer)
    }

    /// Missing, not asked of anyone, and no usable holder left that has not sent bad bytes for it.
    func isStranded(_ unit: TransferUnit) -> Bool {
        !unit.isDone && unit.requestedFrom.isEmpty && !unit.holders.contains { usable($0) && !unit.refused.contains($0) }
    }
}
