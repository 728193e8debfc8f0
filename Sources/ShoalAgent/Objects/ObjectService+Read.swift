import ShoalObjects
import Synchronization

/// An object being read for a client, chunk by chunk in object order: `GET /v1/objects/{id}`,
/// and a task's inputs.
///
/// - Stored here: each chunk is read from the store and verified, the next one read ahead
///   while the client takes this one.
/// - Held elsewhere: the fetch runs beside the reader, and each chunk reaches the reader from
///   the fetch's `ChunkRelay` as soon as it has arrived verified and staged, while the rest
///   come in. A chunk the relay does not have is read from the store once the fetch has
///   committed. `finish` waits for that commit, so when a get has ended this node holds the
///   object.
final class ObjectReader: Sendable {
    let manifest: Manifest
    private let service: ObjectService
    private let relay: ChunkRelay?
    private let fetch: Task<Result<Void, ObjectError>, Never>?
    /// The local read of the next chunk, started while the client takes the present one.
    private let ahead = Mutex<(position: Int, read: Task<Result<[UInt8], ObjectError>, Never>)?>(nil)

    /// A reader of the copy stored here.
    init(stored manifest: Manifest, service: ObjectService) {
        self.manifest = manifest
        self.service = service
        relay = nil
        fetch = nil
    }

    /// A reader of an object `fetch` is bringing here through `relay`.
    init(fetching manifest: Manifest, service: ObjectService, relay: ChunkRelay, fetch: Task<Result<Void, ObjectError>, Never>) {
        self.manifest = manifest
        self.service = service
        self.relay = relay
        self.fetch = fetch
    }

    deinit {
        fetch?.cancel()
        ahead.withLock { $0?.read.cancel() }
    }

    /// The verified bytes of chunk `position`; take them in order for the relay and the
    /// read-ahead to help (any order is correct).
    func chunk(at position: Int) async throws(ObjectError) -> [UInt8] {
        precondition(position >= 0 && position < manifest.chunkCount, "a chunk position within the object")
        if let relay, let fetch {
            if let bytes = await relay.take(manifest.chunks[position]) { return bytes }
            // Not relayed: here before the fetch began, or over the relay's capacity, or the
            // fetch failed. The store has it once the fetch has committed.
            if case .failure(let error) = await fetch.value { throw error }
            return try await service.chunkBytes(manifest, at: position)
        }
        let started = ahead.withLock { ahead -> Task<Result<[UInt8], ObjectError>, Never>? in
            defer { ahead = nil }
            guard let ahead, ahead.position == position else {
                ahead?.read.cancel()
                return nil
            }
            return ahead.read
        }
        let result: Result<[UInt8], ObjectError>
        if let started {
            result = await started.value
        } else {
            result = await Self.read(manifest, at: position, from: service)
        }
        if position + 1 < manifest.chunkCount, case .success = result {
            let next = Task { [manifest, service] in await Self.read(manifest, at: position + 1, from: service) }
            ahead.withLock { $0 = (position + 1, next) }
        }
        return try result.get()
    }

    /// Waits until this node keeps the object (the fetch's commit); a reader of a stored copy
    /// has nothing to wait for. A fetch that failed after every chunk was read is logged, not
    /// thrown: the client has its bytes, and only this node's cached copy is missing.
    func finish() async {
        guard let fetch, case .failure(let error) = await fetch.value else { return }
        service.logger.warning(
            "a get delivered its object but could not keep a copy here", metadata: ["object": "\(manifest.id)", "error": "\(error)"])
    }

    private static func read(_ manifest: Manifest, at position: Int, from service: ObjectService) async -> Result<[UInt8], ObjectError> {
        do throws(ObjectError) {
            return .success(try await service.chunkBytes(manifest, at: position))
        } catch {
            return .failure(error)
        }
    }
}

extension ObjectService {
    /// Opens `id` for reading: the copy stored here, or, when there is none, a fetch from its
    /// holders (homes first) whose chunks the reader gets as they arrive; the fetched copy is
    /// kept here as `cached`. `notFound` when no alive member holds it.
    func read(_ id: ObjectID) async throws(ObjectError) -> ObjectReader {
        let stored: Manifest?
        do { stored = try store.manifest(of: id) } catch { throw .from(error) }
        if let stored { return ObjectReader(stored: stored, service: self) }
        guard let location = await locate(id) else { throw .notFound(id) }
        let relay = ChunkRelay(manifest: location.manifest, budget: relayBudget)
        let fetch = Task { [self] () -> Result<Void, ObjectError> in
            defer { relay.finish() }
            do throws(ObjectError) {
                try await self.fetch(location.manifest, from: location.holders, pin: .cached, factor: location.factor, relay: relay)
            } catch {
                return .failure(error)
            }
            do {
                try store.enforceBudget()
            } catch {
                logger.warning("could not keep the object store within its budget", metadata: ["error": "\(error)"])
            }
            return .success(())
        }
        return ObjectReader(fetching: location.manifest, service: self, relay: relay, fetch: fetch)
    }
}
