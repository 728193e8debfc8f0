import ShoalObjects
import ShoalTestSupport
import Testing
@testable import ShoalAgent

/// The hand-over between a get's fetch and its client (`ChunkRelay`): what the reader is given,
/// what it must read from the store instead, and that memory stays within the capacity.
@Suite("Chunk relay: a get's chunks reach its client as they arrive, within a memory bound")
struct ChunkRelayTests {
    /// A manifest of 1 KiB chunks with the given contents (a repeated byte makes a repeated chunk).
    static func manifest(_ fills: [UInt8]) throws -> (Manifest, [[UInt8]]) {
        let chunks = fills.map { [UInt8](repeating: $0, count: 1_024) }
        let manifest = try Manifest(
            totalLength: UInt64(chunks.count * 1_024), chunkSize: try ChunkSize(bytes: 1_024), chunks: chunks.map { ChunkAddress(hashing: $0) })
        return (manifest, chunks)
    }

    /// What the reader is given for `address`: `.some(nil)` for "read the store"; nil (a test
    /// failure) when it is still waiting after five seconds.
    static func take(_ address: ChunkAddress, from relay: ChunkRelay) async -> [UInt8]?? {
        await value(within: .seconds(5)) { await relay.take(address) }
    }

    @Test("a chunk offered before it is taken waits for the reader; one taken before it is offered reaches the waiting reader")
    func handsOverInEitherOrder() async throws {
        let (manifest, chunks) = try Self.manifest([1, 2])
        let relay = ChunkRelay(manifest: manifest, budget: RelayBudget(limit: 1 << 20))
        relay.offer(manifest.chunks[0], bytes: chunks[0])
        #expect(await Self.take(manifest.chunks[0], from: relay) == chunks[0])
        async let second = Self.take(manifest.chunks[1], from: relay)
        try await Task.sleep(for: .milliseconds(20))
        relay.offer(manifest.chunks[1], bytes: chunks[1])
        #expect(await second == chunks[1])
    }

    @Test("past its budget the relay keeps nothing more, and the reader is told to read the store")
    func capacityBoundsMemory() async throws {
        let (manifest, chunks) = try Self.manifest([1, 2, 3])
        let relay = ChunkRelay(manifest: manifest, budget: RelayBudget(limit: 2_048))
        for (address, bytes) in zip(manifest.chunks, chunks) { relay.offer(address, bytes: bytes) }
        #expect(await Self.take(manifest.chunks[0], from: relay) == chunks[0])
        #expect(await Self.take(manifest.chunks[1], from: relay) == chunks[1])
        #expect(await Self.take(manifest.chunks[2], from: relay) == .some(nil), "the third chunk was over the budget: the reader reads it from the store")
    }

    @Test("a chunk the object repeats is handed over at every position, then let go")
    func repeatedChunk() async throws {
        let (manifest, chunks) = try Self.manifest([5, 6, 5])
        let relay = ChunkRelay(manifest: manifest, budget: RelayBudget(limit: 1 << 20))
        relay.offer(manifest.chunks[0], bytes: chunks[0])
        relay.offer(manifest.chunks[1], bytes: chunks[1])
        relay.offer(manifest.chunks[0], bytes: chunks[0])  // an end-game duplicate
        #expect(await Self.take(manifest.chunks[0], from: relay) == chunks[0])
        #expect(await Self.take(manifest.chunks[1], from: relay) == chunks[1])
        #expect(await Self.take(manifest.chunks[2], from: relay) == chunks[2])
        relay.finish()
        #expect(await Self.take(manifest.chunks[0], from: relay) == .some(nil), "every use was taken: nothing is held")
    }

    @Test("a reader waiting when the fetch ends, or for a chunk that was already here, is answered nil at once")
    func endAndAbsent() async throws {
        let (manifest, _) = try Self.manifest([1, 2])
        let relay = ChunkRelay(manifest: manifest, budget: RelayBudget(limit: 1 << 20))
        relay.markAbsent(manifest.chunks[0])
        #expect(await Self.take(manifest.chunks[0], from: relay) == .some(nil))
        async let waiting = Self.take(manifest.chunks[1], from: relay)
        try await Task.sleep(for: .milliseconds(20))
        relay.finish()
        #expect(await waiting == .some(nil), "the waiting reader is answered when the fetch ends")
    }

    @Test("a cancelled reader stops waiting")
    func cancelledReader() async throws {
        let (manifest, _) = try Self.manifest([1])
        let relay = ChunkRelay(manifest: manifest, budget: RelayBudget(limit: 1 << 20))
        let reader = Task { await relay.take(manifest.chunks[0]) }
        try await Task.sleep(for: .milliseconds(20))
        reader.cancel()
        #expect(await reader.value == nil)
    }

    @Test("every relay draws on one budget: many clients together hold no more than it, and what a gone reader held is given back")
    func sharedBudget() async throws {
        let (manifest, chunks) = try Self.manifest([1, 2, 3])
        let budget = RelayBudget(limit: 2_048)
        var first: ChunkRelay? = ChunkRelay(manifest: manifest, budget: budget)
        let second = ChunkRelay(manifest: manifest, budget: budget)
        for (address, bytes) in zip(manifest.chunks, chunks) { first?.offer(address, bytes: bytes) }
        for (address, bytes) in zip(manifest.chunks, chunks) { second.offer(address, bytes: bytes) }
        #expect(budget.inUse == 2_048, "two relays offered three chunks each hold two chunks in all")
        #expect(await Self.take(manifest.chunks[0], from: second) == .some(nil), "the second relay got nothing past the budget")
        #expect(await Self.take(manifest.chunks[0], from: first!) == chunks[0])
        #expect(budget.inUse == 1_024, "a chunk taken is given back")
        first = nil
        #expect(budget.inUse == 0, "a relay dropped with a chunk unread gives it back")
        let third = ChunkRelay(manifest: manifest, budget: budget)
        third.offer(manifest.chunks[2], bytes: chunks[2])
        #expect(await Self.take(manifest.chunks[2], from: third) == chunks[2], "the freed budget serves the next client")
    }
}
