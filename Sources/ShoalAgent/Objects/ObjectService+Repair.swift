import Foundation
import ShoalMembership
import ShoalObjects

extension ObjectService {
    /// Bytes of stored chunks one repair pass reads back and verifies (the scrub): the whole
    /// store is checked once every `store size / scrubBytesPerPass` passes.
    static let scrubBytesPerPass = 64 << 20

    /// One pass over what this node holds (DESIGN "Objects": "when a member dies, home nodes
    /// re-replicate what fell below its factor"), deriving each object's homes from the alive
    /// set as `RepairPlanner` does:
    /// - a holder that is a home has every other home that lacks a copy replicate it (from this
    ///   node and the other holders it knows); the home answers at once if it has it already;
    /// - a holder that is no home (a writer's or reader's copy, or a former home) does the same
    ///   on a thorough pass, and a former home keeps its copy only as `cached` once every home
    ///   holds one;
    /// - then a slice of the store is read back and verified, and a corrupt chunk is fetched
    ///   again from a replica.
    /// `thorough` passes (after a membership change, and every third pass) ask every home;
    /// others only homes this node's directory does not list as holders.
    func repairPass(thorough: Bool) async {
        guard let objects = try? store.storedObjects() else { return }
        let alive = self.alive
        for object in objects {
            if Task.isCancelled { return }
            let homes = Rendezvous.homes(for: object.id, among: alive, factor: ReplicationFactor(clamping: object.factor))
            let isHome = homes.contains(myself)
            if isHome, object.pin == .cached { _ = try? store.setPin(object.id, to: .home) }
            guard isHome || thorough || object.pin == .home else { continue }
            let known = knownHolders(of: object.id)
            let targets = homes.filter { $0 != myself && (thorough || !known.contains($0)) }
            guard !targets.isEmpty || (!isHome && object.pin == .home),
                let manifest = try? store.storedManifest(of: object.id)
            else { continue }
            let inline = manifest.totalLength <= UInt64(settings.inlineLimit) ? try? inlineBody(for: manifest) : nil
            let holders = known.union([myself])
            let stored = await withTaskGroup(of: Bool.self) { group in
                for target in targets {
                    group.addTask { [self] in
                        let answer = await replicate(manifest, factor: object.factor, to: target, holders: holders, inline: inline)
                        if answer?.stored == true { remember(object.id, holders: [target]) }
                        return answer?.stored == true
                    }
                }
                var all = true
                for await ok in group { all = all && ok }
                return all
            }
            if stored, !isHome, object.pin == .home {
                _ = try? store.setPin(object.id, to: .cached)
                logger.info("no longer a home of an object; keeping it as a cached copy", metadata: ["object": "\(object.id)"])
            }
        }
        await scrub()
    }

    /// Reads back and verifies the next `scrubBytesPerPass` of stored chunks; a chunk that
    /// fails (its file is deleted by the read) is fetched again from another holder.
    func scrub() async {
        guard let addresses = try? store.chunkAddresses(), !addresses.isEmpty else { return }
        var start = state.withLock { $0.scrubCursor }
        if start >= addresses.count { start = 0 }
        var checked = 0
        var position = start
        while checked < Self.scrubBytesPerPass, !Task.isCancelled {
            let address = addresses[position]
            do {
                checked += try store.read(chunk: address).count
            } catch .corruptChunk, .missingChunk {
                logger.warning("the scrub found a corrupt chunk; fetching it again", metadata: ["chunk": "\(address)"])
                await restore(address)
            } catch {}
            position = (position + 1) % addresses.count
            if position == start { break }
        }
        state.withLock { $0.scrubCursor = position }
    }
}
