import Foundation
import ShoalMembership
import ShoalObjects
import ShoalTransport
import ShoalWire

extension ObjectService {
    /// Where an object is, as the members asked said.
    struct Location: Sendable {
        let manifest: Manifest
        let holders: Set<NodeID>
        let factor: Int
    }

    /// Finds `id`: asks its homes (the three best-ranked alive members) first, then every other
    /// alive member, `fanout` at a time. Nil when no one holds it.
    func locate(_ id: ObjectID) async -> Location? {
        let ranking = Rendezvous.ranking(of: alive.subtracting([myself]), for: id)
        var waves = [Array(ranking.prefix(3))]
        var rest = ranking.dropFirst(3)
        while !rest.isEmpty {
            waves.append(Array(rest.prefix(settings.fanout)))
            rest = rest.dropFirst(settings.fanout)
        }
        for wave in waves where !wave.isEmpty {
            let answers = await ask(wave, locate: id)
            var manifest: Manifest?
            var holders: Set<NodeID> = []
            var factor = 0
            for (node, location) in answers {
                if location.held { holders.insert(node) }
                holders.formUnion(location.holders.map { NodeID(bytes: [UInt8]($0)) })
                factor = max(factor, Int(location.factor))
                if manifest == nil, location.held, let decoded = try? Manifest(decoding: [UInt8](location.manifest)), decoded.id == id {
                    manifest = decoded
                }
            }
            holders = holders.intersection(alive).subtracting([myself])
            if let manifest, !holders.isEmpty {
                remember(id, holders: holders)
                return Location(manifest: manifest, holders: holders, factor: factor == 0 ? settings.defaultFactor : factor)
            }
        }
        return nil
    }

    /// The alive members that hold `id` whole, asked now (this node included when it does).
    func holders(of id: ObjectID) async -> Set<NodeID> {
        var holders: Set<NodeID> = (try? store.contains(id)) == true ? [myself] : []
        let others = Array(alive.subtracting([myself])).sorted()
        var start = 0
        while start < others.count {
            let wave = Array(others[start..<min(others.count, start + settings.fanout)])
            for (node, location) in await ask(wave, locate: id) where location.held { holders.insert(node) }
            start += settings.fanout
        }
        return holders
    }

    private func ask(_ nodes: [NodeID], locate id: ObjectID) async -> [(NodeID, Shoal_Wire_V1_ObjectLocation)] {
        let request = Shoal_Wire_V1_ObjectRequest.with { $0.locate = .with { $0.id = Data(id.multihash.bytes) } }
        return await withTaskGroup(of: (NodeID, Shoal_Wire_V1_ObjectLocation)?.self) { group in
            for node in nodes {
                group.addTask { [self] in
                    guard let (answer, _) = try? await call(node, request, timeout: settings.locateTimeout),
                        case .location(let location)? = answer.kind
                    else { return nil }
                    return (node, location)
                }
            }
            var answers: [(NodeID, Shoal_Wire_V1_ObjectLocation)] = []
            for await answer in group { if let answer { answers.append(answer) } }
            return answers
        }
    }

    /// What one chunk request came to.
    enum ChunkOutcome: Error, Sendable {
        case verified
        /// The bytes did not hash to the address (or did not decode).
        case bad
        /// The holder answered that it does not hold the chunk.
        case missing
        case timedOut
        /// No connection or no answer: the holder is as good as dead for this transfer.
        case unreachable
        /// Staging the chunk here failed (full disk): the whole fetch fails with it.
        case storeFailed(ObjectError)
    }

    private struct RequestKey: Hashable {
        let address: ChunkAddress
        let peer: NodeID
    }

    /// Pulls every chunk of `manifest` this node lacks from `holders` at once, as
    /// `ObjectTransfer` schedules (rarest first, a window per peer, a cap on bytes in flight, the
    /// end game), verifying each on arrival, then commits the object under `pin`. Durable when
    /// it returns; on failure (or when the task is cancelled) nothing of it stays. Each chunk
    /// that arrives is offered to `relay` once staged, and each already here is marked absent.
    func fetch(
        _ manifest: Manifest, from holders: Set<NodeID>, pin: ObjectPin, factor: Int, relay: ChunkRelay? = nil
    ) async throws(ObjectError) {
        let staging = store.beginStaging()
        var transfer: ObjectTransfer
        do {
            transfer = try ObjectTransfer(manifest: manifest, holders: holders.subtracting([myself]), limits: settings.limits)
        } catch {
            throw .invalid("cannot fetch this object: \(error)")
        }
        var sizes: [ChunkAddress: Int] = [:]
        for (position, address) in manifest.chunks.enumerated() where sizes[address] == nil {
            sizes[address] = manifest.size(ofChunk: position)
        }
        var actions: [TransferAction] = []
        do {
            for address in sizes.keys where try staging.has(address) {
                relay?.markAbsent(address)
                actions += transfer.chunkArrived(address, from: myself, verified: true)
            }
        } catch {
            throw .from(error)
        }
        actions += transfer.start()
        let result = await withTaskGroup(of: (RequestKey, ChunkOutcome).self) { group -> Result<Void, ObjectError> in
            var live: Set<RequestKey> = []
            defer { group.cancelAll() }
            while true {
                if Task.isCancelled { return .failure(.unavailable("the get was cancelled")) }
                // Requests still wanted once the batch's cancels are applied; then the batch's end.
                var launch: [RequestKey] = []
                var ending: Result<Void, ObjectError>?
                for action in actions {
                    switch action {
                    case .request(let address, let peer):
                        launch.append(RequestKey(address: address, peer: peer))
                    case .cancel(let address, let peer):
                        let key = RequestKey(address: address, peer: peer)
                        launch.removeAll { $0 == key }
                        live.remove(key)
                    case .done:
                        ending = .success(())
                    case .failed(let missing):
                        ending = .failure(.unavailable("\(missing.count) chunks have no alive holder that sent them intact"))
                    }
                }
                actions = []
                if let ending { return ending }
                for key in launch {
                    live.insert(key)
                    let size = sizes[key.address] ?? 0
                    group.addTask { [self] in
                        (key, await fetchChunk(key.address, size: size, from: key.peer, into: staging, relay: relay))
                    }
                }
                guard let (key, outcome) = await group.next() else {
                    return .failure(.unavailable("the transfer stopped with chunks outstanding"))
                }
                guard live.remove(key) != nil else { continue }
                switch outcome {
                case .verified: actions = transfer.chunkArrived(key.address, from: key.peer, verified: true)
                case .bad:
                    suspect(key.address, at: key.peer)
                    actions = transfer.chunkArrived(key.address, from: key.peer, verified: false)
                case .missing:
                    forget(manifest.id, holder: key.peer)
                    actions = transfer.chunkArrived(key.address, from: key.peer, verified: false)
                case .timedOut: actions = transfer.requestTimedOut(key.address, at: key.peer)
                case .unreachable: actions = transfer.peerDied(key.peer)
                case .storeFailed(let error): return .failure(error)
                }
            }
        }
        switch result {
        case .success:
            do { try staging.commit(manifest, pin: pin, factor: factor) } catch { throw .from(error) }
        case .failure(let error):
            staging.abandon()
            throw error
        }
    }

    /// Asks `peer` for the chunk file of `address` and verifies it: the file as it came and the
    /// chunk's bytes, or why not.
    func requestChunkFile(_ address: ChunkAddress, size: Int, from peer: NodeID) async -> Result<(file: [UInt8], bytes: [UInt8]), ChunkOutcome> {
        let request = Shoal_Wire_V1_ObjectRequest.with { $0.chunk = .with { $0.address = Data(address.multihash.bytes) } }
        let answer: Shoal_Wire_V1_ObjectAnswer
        let body: Data
        do {
            (answer, body) = try await call(peer, request, timeout: settings.chunkTimeout)
        } catch is TimeoutError {
            return .failure(.timedOut)
        } catch {
            return .failure(Task.isCancelled ? .timedOut : .unreachable)
        }
        guard case .chunk(let reply)? = answer.kind, reply.found else { return .failure(.missing) }
        let file = [UInt8](body)
        guard let bytes = ChunkStore.verified(file: file, address: address, length: size) else { return .failure(.bad) }
        return .success((file, bytes))
    }

    /// Asks `peer` for the chunk file of `address`, verifies it, stages it as it came and offers
    /// its bytes to `relay`.
    func fetchChunk(
        _ address: ChunkAddress, size: Int, from peer: NodeID, into staging: ChunkStaging, relay: ChunkRelay? = nil
    ) async -> ChunkOutcome {
        switch await requestChunkFile(address, size: size, from: peer) {
        case .failure(let outcome):
            return outcome
        case .success(let (file, bytes)):
            do {
                try staging.add(file: file, address: address, length: size)
            } catch {
                return .storeFailed(.from(error))
            }
            relay?.offer(address, bytes: bytes)
            return .verified
        }
    }

    /// Tells `peer` the chunk it sent did not verify, so it checks its copy (best effort).
    private func suspect(_ address: ChunkAddress, at peer: NodeID) {
        logger.warning("a chunk from a holder did not verify", metadata: ["chunk": "\(address)", "holder": "\(name(of: peer))"])
        let request = Shoal_Wire_V1_ObjectRequest.with { $0.suspect = .with { $0.address = Data(address.multihash.bytes) } }
        Task { [self] in _ = try? await call(peer, request, timeout: settings.locateTimeout) }
    }

    /// The verified bytes of chunk `position` of a stored object; a chunk whose file is corrupt
    /// or gone is fetched again from another holder and restored first.
    func chunkBytes(_ manifest: Manifest, at position: Int) async throws(ObjectError) -> [UInt8] {
        let address = manifest.chunks[position]
        do {
            return try store.read(chunk: address)
        } catch .corruptChunk, .missingChunk {
            logger.warning("a stored chunk failed verification; fetching it again", metadata: ["chunk": "\(address)"])
            guard await restore(address, of: manifest) else {
                throw .unavailable("chunk \(position) is corrupt here and no other holder sent it intact")
            }
            do { return try store.read(chunk: address) } catch { throw .from(error) }
        } catch {
            throw .from(error)
        }
    }

    /// Fetches a good copy of a chunk some stored object lists and restores it; true on success.
    @discardableResult
    func restore(_ address: ChunkAddress, of known: Manifest? = nil) async -> Bool {
        let manifests = known.map { [$0] } ?? (try? store.storedObjects().compactMap { try? store.manifest(of: $0.id) }) ?? []
        guard let manifest = manifests.first(where: { $0.chunks.contains(address) }),
            let position = manifest.chunks.firstIndex(of: address)
        else { return false }
        var holders = knownHolders(of: manifest.id).subtracting([myself])
        if holders.isEmpty { holders = await locate(manifest.id)?.holders ?? [] }
        let size = manifest.size(ofChunk: position)
        for holder in Rendezvous.ranking(of: holders, for: manifest.id) {
            guard case .success(let (_, bytes)) = await requestChunkFile(address, size: size, from: holder) else { continue }
            if (try? store.restore(chunk: bytes)) != nil {
                logger.notice("restored a chunk from a replica", metadata: ["chunk": "\(address)", "from": "\(name(of: holder))"])
                return true
            }
        }
        return false
    }
}
