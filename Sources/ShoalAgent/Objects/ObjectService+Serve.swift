import Foundation
import ShoalMembership
import ShoalObjects
import ShoalTransport
import ShoalWire

extension ObjectService {
    /// Serves `objects/1` on one connection: one request, one answer, until the peer hangs up.
    /// Only certified members get here (the transport's handshake); what each may ask is
    /// bounded by the transport's frame limit, and a manifest is decoded with its own limits.
    func serve(_ connection: PeerConnection) async {
        let peer = NodeID(bytes: connection.peer.key.bytes)
        while true {
            guard let (request, body) = try? await connection.receive(Shoal_Wire_V1_ObjectRequest.self) else { return }
            let (answer, reply) = await answer(request, body: body, from: peer)
            do { try await connection.send(answer, body: reply) } catch { return }
        }
    }

    func answer(_ request: Shoal_Wire_V1_ObjectRequest, body: Data, from peer: NodeID) async -> (Shoal_Wire_V1_ObjectAnswer, Data) {
        switch request.kind {
        case .locate(let locate)?:
            guard let id = try? ObjectID(Multihash(bytes: [UInt8](locate.id))) else { return (.invalid("a malformed object id"), Data()) }
            return (.with { $0.location = location(of: id) }, Data())
        case .chunk(let fetch)?:
            guard let address = try? ChunkAddress(Multihash(bytes: [UInt8](fetch.address))) else {
                return (.invalid("a malformed chunk address"), Data())
            }
            guard let file = try? store.storedFile(of: address), !file.isEmpty else {
                return (.with { $0.chunk = .with { $0.found = false } }, Data())
            }
            return (.with { $0.chunk = .with { $0.found = true } }, Data(file))
        case .replicate(let replicate)?:
            let replicated = await self.replicate(replicate, body: body, from: peer)
            return (.with { $0.replicated = replicated }, Data())
        case .suspect(let suspect)?:
            if let address = try? ChunkAddress(Multihash(bytes: [UInt8](suspect.address))) { checkSuspect(address) }
            return (.with { $0.noted = true }, Data())
        case .dropped(let dropped)?:
            if let id = try? ObjectID(Multihash(bytes: [UInt8](dropped.id))) {
                forget(id, holder: peer)
                // A home that still holds it restores the factor at its next pass.
                state.withLock { $0.repairWanted = true }
            }
            return (.with { $0.noted = true }, Data())
        case nil:
            return (.invalid("a request with no operation"), Data())
        }
    }

    /// What this node can say of `id`: whether it holds it, its manifest, the holders it knows.
    func location(of id: ObjectID) -> Shoal_Wire_V1_ObjectLocation {
        let manifest = (try? store.contains(id)) == true ? (try? store.manifest(of: id)) ?? nil : nil
        let factor = manifest == nil ? nil : (try? store.factor(of: id)) ?? nil
        let holders = knownHolders(of: id)
        return .with {
            $0.held = manifest != nil
            if let manifest { $0.manifest = Data(manifest.encoded) }
            $0.holders = holders.sorted().map { Data($0.bytes) }
            $0.factor = UInt32(factor ?? 0)
        }
    }

    /// A replicate request from `peer`: keep the object as one of its homes, durably, then say so.
    /// Two requests for one object share one fetch.
    func replicate(_ request: Shoal_Wire_V1_ObjectReplicate, body: Data, from peer: NodeID) async -> Shoal_Wire_V1_ObjectReplicated {
        let manifest: Manifest
        do {
            manifest = try Manifest(decoding: [UInt8](request.manifest))
        } catch {
            return .with { $0.error = "a malformed manifest: \(error)" }
        }
        let factor = Int(ReplicationFactor(clamping: Int(request.factor)).copies)
        let holders = Set(request.holders.map { NodeID(bytes: [UInt8]($0)) }).union([peer])
        remember(manifest.id, holders: holders)
        let task = state.withLock { state -> Task<Result<Void, ObjectError>, Never> in
            if let running = state.replicating[manifest.id] { return running }
            let task = Task { [self] () -> Result<Void, ObjectError> in
                defer { _ = self.state.withLock { $0.replicating.removeValue(forKey: manifest.id) } }
                do throws(ObjectError) {
                    if request.inline {
                        try storeInline(manifest, files: body, factor: factor)
                    } else {
                        try await fetch(manifest, from: holders, pin: .home, factor: factor)
                    }
                    return .success(())
                } catch {
                    return .failure(error)
                }
            }
            state.replicating[manifest.id] = task
            return task
        }
        switch await task.value {
        case .success:
            remember(manifest.id, holders: [myself])
            return .with { $0.stored = true }
        case .failure(let error):
            return .with {
                $0.error = error.description
                if case .full = error { $0.full = true }
            }
        }
    }

    /// A small object sent whole: every distinct chunk file, in manifest order, each after its
    /// 4-byte big-endian length; each is verified before it is staged.
    func storeInline(_ manifest: Manifest, files body: Data, factor: Int) throws(ObjectError) {
        let staging = store.beginStaging()
        try Self.forEachInlineFile(in: [UInt8](body), of: manifest) { file, address, size throws(ObjectError) in
            do throws(ChunkStoreError) { try staging.add(file: file, address: address, length: size) } catch { throw .from(error) }
        }
        do { try staging.commit(manifest, pin: .home, factor: factor) } catch { throw .from(error) }
    }

    /// Cuts an inline body into its chunk files and hands each to `visit` once it has verified
    /// against its address and size, in manifest order; a body that does not hold exactly what
    /// the manifest names, or holds it cut short, is `invalid` (a peer's bytes; Fuzz/ fuzz-objects).
    static func forEachInlineFile(
        in bytes: [UInt8], of manifest: Manifest, _ visit: (_ file: [UInt8], _ address: ChunkAddress, _ size: Int) throws(ObjectError) -> Void
    ) throws(ObjectError) {
        var offset = 0
        var seen: Set<ChunkAddress> = []
        for (position, address) in manifest.chunks.enumerated() where seen.insert(address).inserted {
            guard offset + 4 <= bytes.count else { throw .invalid("an inline replica ended before chunk \(position)") }
            let length = bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
            offset += 4
            guard length <= bytes.count - offset else { throw .invalid("an inline chunk runs past the request") }
            let file = Array(bytes[offset..<offset + length])
            offset += length
            let size = manifest.size(ofChunk: position)
            guard ChunkStore.verify(file: file, address: address, length: size) else {
                throw .invalid("inline chunk \(position) does not hash to its address")
            }
            try visit(file, address, size)
        }
    }

    /// The inline body for `manifest`'s distinct chunks, read from this node's store.
    func inlineBody(for manifest: Manifest) throws(ObjectError) -> Data {
        var body = Data()
        var seen: Set<ChunkAddress> = []
        for address in manifest.chunks where seen.insert(address).inserted {
            let file: [UInt8]?
            do { file = try store.storedFile(of: address) } catch { throw .from(error) }
            guard let file else { throw .unavailable("chunk \(address) is missing here") }
            withUnsafeBytes(of: UInt32(file.count).bigEndian) { body.append(contentsOf: $0) }
            body.append(contentsOf: file)
        }
        return body
    }

    /// A peer says a chunk it got from here did not verify: read it back (which verifies and, when
    /// it is corrupt, deletes the file), and fetch a good copy from a replica.
    func checkSuspect(_ address: ChunkAddress) {
        do {
            _ = try store.read(chunk: address)
        } catch .corruptChunk, .missingChunk {
            logger.warning("a chunk here failed verification; fetching it again", metadata: ["chunk": "\(address)"])
            Task { [self] in await restore(address) }
        } catch {}
    }
}

extension Shoal_Wire_V1_ObjectAnswer {
    static func invalid(_ reason: String) -> Self { .with { $0.invalid = reason } }
}
