import Foundation
import NIOCore
import NIOPosix
import ShoalCrypto
import ShoalMembership
import ShoalObjects
import ShoalTransport
import ShoalWire

extension ObjectService {
    /// Chunks of one put compressed and written at once.
    static let stagingDepth = 2

    /// Stores the bytes `body` yields as a new object wanting `factor` replicas: cut, hashed,
    /// compressed and staged as they arrive (memory: one chunk and the addresses), committed
    /// here, then replicated to its homes. Answers once `factor` nodes hold it durably (fewer
    /// only when fewer members are alive). `length` (the request's Content-Length) picks the
    /// chunk size and must match what arrives.
    func put<Body: AsyncSequence & Sendable>(_ body: Body, length: UInt64?, factor: Int) async throws(ObjectError) -> AdminAPI.ObjectPut
    where Body.Element == ByteBuffer {
        let staging = store.beginStaging()
        var chunker = length.map { Chunker(objectLength: $0) } ?? Chunker()
        let manifest: Manifest
        let pin: ObjectPin
        do {
            // The chunker hashes on this task as the body arrives; compressing and writing each
            // chunk runs on NIO's blocking pool, `stagingDepth` chunks at a time, so a put uses
            // more than one core and the body is read while chunks are written.
            manifest = try await withThrowingTaskGroup(of: Void.self) { group in
                var pending = 0
                func stage(_ chunk: Chunk) async throws {
                    if pending >= Self.stagingDepth {
                        try await group.next()
                        pending -= 1
                    }
                    group.addTask {
                        try await NIOThreadPool.singleton.runIfActive { try staging.add(chunk: chunk.bytes, address: chunk.address) }
                    }
                    pending += 1
                }
                for try await buffer in body {
                    let chunks = try buffer.withUnsafeReadableBytes { bytes throws(ObjectFormatError) in try chunker.append(bytes) }
                    for chunk in chunks { try await stage(chunk) }
                }
                if let length, chunker.bytesConsumed != length {
                    throw ObjectError.invalid("the body ended after \(chunker.bytesConsumed) of the \(length) bytes its Content-Length announced")
                }
                let (last, finished) = try chunker.finish()
                if let last { try await stage(last) }
                try await group.waitForAll()
                return finished
            }
            pin = homes(of: manifest.id, factor: factor).contains(myself) ? .home : .cached
            try staging.commit(manifest, pin: pin, factor: factor)
        } catch {
            staging.abandon()
            switch error {
            case let error as ObjectError: throw error
            case let error as ChunkStoreError: throw .from(error)
            case let error as ObjectFormatError: throw .invalid(error.description)
            case is NIOThreadPoolError.ThreadPoolInactive: throw .unavailable("the agent is stopping")
            default: throw .invalid("the upload ended early: \(error)")
            }
        }
        let durable = await replicate(manifest, factor: factor)
        let wanted = ReplicationFactor(clamping: factor).effective(alive: alive.count)
        // A writer that is no home counts its copy among the `wanted` only when a home did not
        // take its replica: then that copy stands in for the home, so it must not stay evictable.
        // Repair hands it to the homes later and makes it `cached` again once they all hold it.
        if pin == .cached, durable.count <= wanted {
            do { try store.setPin(manifest.id, to: .home) } catch { throw .from(error) }
            logger.warning(
                "a home did not take its replica; this node keeps its copy as a home until repair hands it over",
                metadata: ["object": "\(manifest.id)", "reason": "\(durable.reason ?? "homes did not answer")"])
        }
        if durable.count < wanted {
            throw .underReplicated(durable: durable.count, wanted: wanted, reason: durable.reason ?? "homes did not answer")
        }
        return AdminAPI.ObjectPut(id: manifest.id.description, size: manifest.totalLength, chunks: manifest.chunkCount, replicas: durable.count)
    }

    /// Has the object's homes keep a replica, this node's copy counting as one; a home that fails
    /// is replaced by the next member in rendezvous order. Answers the nodes it is durable on.
    func replicate(_ manifest: Manifest, factor: Int) async -> (count: Int, full: Bool, reason: String?) {
        let alive = self.alive
        let wanted = ReplicationFactor(clamping: factor).effective(alive: alive.count)
        let ranking = Rendezvous.ranking(of: alive, for: manifest.id)
        let homes = Array(ranking.prefix(wanted))
        var durable = 1
        var full = false
        var reason: String?
        // The homes first, then stand-ins in rendezvous order for homes that fail.
        var targets = homes.filter { $0 != myself }
        var candidates = ranking.filter { $0 != myself && !targets.contains($0) }[...]
        let holders = Set(homes).union([myself])
        let inline = manifest.totalLength <= UInt64(settings.inlineLimit) ? try? inlineBody(for: manifest) : nil
        remember(manifest.id, holders: [myself])
        // Every home keeps a replica: a writer that is no home holds one more, evictable, copy.
        let needed = homes.contains(myself) ? wanted : wanted + 1
        while durable < needed, !targets.isEmpty {
            let answers = await withTaskGroup(of: (NodeID, Shoal_Wire_V1_ObjectReplicated?).self) { group in
                for target in targets {
                    group.addTask { [self] in (target, await replicate(manifest, factor: factor, to: target, holders: holders, inline: inline)) }
                }
                var answers: [(NodeID, Shoal_Wire_V1_ObjectReplicated?)] = []
                for await answer in group { answers.append(answer) }
                return answers
            }
            var failed = 0
            for (node, answer) in answers {
                if answer?.stored == true {
                    durable += 1
                    remember(manifest.id, holders: [node])
                } else {
                    failed += 1
                    if answer?.full == true { full = true }
                    reason = answer.map { "\(name(of: node)): \($0.error)" } ?? "\(name(of: node)) did not answer"
                }
            }
            targets = Array(candidates.prefix(failed))
            candidates = candidates.dropFirst(failed)
        }
        return (durable, full, reason)
    }

    /// One replicate request to `target`; nil when it could not be asked or did not answer.
    func replicate(
        _ manifest: Manifest, factor: Int, to target: NodeID, holders: Set<NodeID>, inline: Data?
    ) async -> Shoal_Wire_V1_ObjectReplicated? {
        let request = Shoal_Wire_V1_ObjectRequest.with {
            $0.replicate = .with {
                $0.manifest = Data(manifest.encoded)
                $0.holders = holders.sorted().map { Data($0.bytes) }
                $0.factor = UInt32(factor)
                $0.inline = inline != nil
            }
        }
        guard let (answer, _) = try? await call(target, request, body: inline ?? Data(), timeout: settings.replicateTimeout),
            case .replicated(let replicated)? = answer.kind
        else { return nil }
        return replicated
    }

    /// The description `shoal object` shows: size, chunks, factor, holders and homes.
    func describe(_ id: ObjectID) async throws(ObjectError) -> AdminAPI.ObjectInfo {
        var local: (manifest: Manifest, factor: Int)?
        do {
            if let manifest = try store.manifest(of: id) { local = (manifest, try store.factor(of: id) ?? settings.defaultFactor) }
        } catch {
            throw .from(error)
        }
        let manifest: Manifest
        let factor: Int
        if let local {
            (manifest, factor) = local
        } else if let location = await locate(id) {
            (manifest, factor) = (location.manifest, location.factor)
        } else {
            throw .notFound(id)
        }
        let holders = await holders(of: id)
        let row = { (node: NodeID) in AdminAPI.ObjectHolder(name: self.name(of: node), id: Hex.encode(node.bytes)) }
        return AdminAPI.ObjectInfo(
            id: id.description, size: manifest.totalLength, chunks: manifest.chunkCount, replicas: factor,
            holders: holders.sorted { name(of: $0) < name(of: $1) }.map(row), homes: homes(of: id, factor: factor).map(row))
    }

    /// What this node holds, and whether it is a home for each.
    func list() throws(ObjectError) -> [AdminAPI.ObjectEntry] {
        do {
            return try store.storedObjects().map { object in
                AdminAPI.ObjectEntry(
                    id: object.id.description, size: object.size, chunks: object.chunks, replicas: object.factor,
                    pin: object.pin.rawValue, home: homes(of: object.id, factor: object.factor).contains(myself))
            }.sorted { $0.id < $1.id }
        } catch {
            throw .from(error)
        }
    }

    /// Removes this node's copy and tells the object's homes, whose directories then drop this
    /// node (a home's copy comes back at the next repair while it is a home).
    func remove(_ id: ObjectID) async throws(ObjectError) {
        let factor = (try? store.factor(of: id)) ?? nil
        let removed: Bool
        do { removed = try store.delete(id) } catch { throw .from(error) }
        guard removed else { throw .notFound(id) }
        forget(id, holder: myself)
        let request = Shoal_Wire_V1_ObjectRequest.with { $0.dropped = .with { $0.id = Data(id.multihash.bytes) } }
        await withTaskGroup(of: Void.self) { group in
            for home in homes(of: id, factor: factor ?? settings.defaultFactor) where home != myself {
                group.addTask { [self] in _ = try? await call(home, request, timeout: settings.locateTimeout) }
            }
        }
    }
}
