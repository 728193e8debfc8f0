import ShoalObjects
import Synchronization

/// The verified chunks of a get still under way, handed from the fetch to the reader in object
/// order, so the bytes reach the client while the rest arrive, with no second read from disk and
/// no second hash.
///
/// Memory is bounded for the whole agent, however many clients read at once: every relay draws
/// on one `RelayBudget`, and a chunk offered when the budget is spent is not kept (it is staged on
/// disk all the same); the reader reads it from the store once the fetch has committed. A slow
/// client, or many, therefore cost a re-read, never unbounded memory.
final class ChunkRelay: Sendable {
    private struct State {
        /// Verified bytes not yet taken, by address.
        var ready: [ChunkAddress: [UInt8]] = [:]
        var bytes = 0
        /// Positions still to be taken, per address (an object may repeat a chunk).
        var uses: [ChunkAddress: Int]
        /// Addresses this relay will not hand over: here before the fetch began, or offered
        /// offered when the budget was spent.
        var absent: Set<ChunkAddress> = []
        var waiter: (address: ChunkAddress, continuation: CheckedContinuation<[UInt8]?, Never>)?
        /// The fetch is over: nothing more will be offered.
        var ended = false
    }

    let budget: RelayBudget
    private let state: Mutex<State>

    init(manifest: Manifest, budget: RelayBudget) {
        self.budget = budget
        var uses: [ChunkAddress: Int] = [:]
        for address in manifest.chunks { uses[address, default: 0] += 1 }
        state = Mutex(State(uses: uses))
    }

    /// A reader that went away leaves its unread chunks to the budget.
    deinit { budget.release(state.withLock { $0.bytes }) }

    /// Chunk `address` is already here (the fetch will not offer it).
    func markAbsent(_ address: ChunkAddress) {
        let waiter = state.withLock { state -> CheckedContinuation<[UInt8]?, Never>? in
            state.absent.insert(address)
            guard let waiter = state.waiter, waiter.address == address else { return nil }
            state.waiter = nil
            return waiter.continuation
        }
        waiter?.resume(returning: nil)
    }

    /// The verified bytes of chunk `address`, from the fetch.
    func offer(_ address: ChunkAddress, bytes: [UInt8]) {
        let waiter = state.withLock { state -> CheckedContinuation<[UInt8]?, Never>? in
            guard !state.ended, state.ready[address] == nil, !state.absent.contains(address),
                let uses = state.uses[address], uses > 0
            else { return nil }
            if let waiter = state.waiter, waiter.address == address {
                state.waiter = nil
                state.uses[address] = uses - 1
                if uses > 1 { keep(address, bytes, in: &state) }
                return waiter.continuation
            }
            keep(address, bytes, in: &state)
            return nil
        }
        waiter?.resume(returning: bytes)
    }

    /// No more offers: a reader waiting for a chunk that did not come is answered nil.
    func finish() {
        let waiter = state.withLock { state -> CheckedContinuation<[UInt8]?, Never>? in
            state.ended = true
            defer { state.waiter = nil }
            return state.waiter?.continuation
        }
        waiter?.resume(returning: nil)
    }

    /// Chunk `address`'s bytes once the fetch offers them; nil when this relay will not have
    /// them (here before, offered when the budget was spent, the fetch ended without them, or the reader was
    /// cancelled): the reader then reads the store.
    func take(_ address: ChunkAddress) async -> [UInt8]? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let answer = state.withLock { state -> [UInt8]?? in
                    if let bytes = state.ready[address] {
                        let uses = (state.uses[address] ?? 1) - 1
                        state.uses[address] = uses
                        if uses <= 0 {
                            state.ready[address] = nil
                            state.bytes -= bytes.count
                            budget.release(bytes.count)
                        }
                        return .some(bytes)
                    }
                    if state.ended || state.absent.contains(address) || Task.isCancelled { return .some(nil) }
                    precondition(state.waiter == nil, "one reader takes from a relay")
                    state.waiter = (address, continuation)
                    return nil
                }
                if let answer { continuation.resume(returning: answer) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<[UInt8]?, Never>? in
                defer { state.waiter = nil }
                return state.waiter?.continuation
            }
            waiter?.resume(returning: nil)
        }
    }

    private func keep(_ address: ChunkAddress, _ bytes: [UInt8], in state: inout State) {
        if budget.reserve(bytes.count) {
            state.ready[address] = bytes
            state.bytes += bytes.count
        } else {
            state.absent.insert(address)
        }
    }
}

/// The bytes every get's `ChunkRelay` together may hold for its client: one per agent
/// (`ObjectService.relayBudget`), so the memory relayed chunks take does not grow with the number
/// of clients (at most `HTTPLimits.maximumConnections` on the admin socket).
final class RelayBudget: Sendable {
    let limit: Int
    private let used = Mutex(0)

    init(limit: Int) { self.limit = limit }

    /// The bytes held now.
    var inUse: Int { used.withLock { $0 } }

    /// Takes `count` bytes if that stays within the limit.
    func reserve(_ count: Int) -> Bool {
        used.withLock { used in
            guard used + count <= limit else { return false }
            used += count
            return true
        }
    }

    func release(_ count: Int) {
        used.withLock { $0 -= count }
    }
}
