import Foundation
import ShoalTestSupport
import Testing

@testable import ShoalAgent

/// Objects among real agents (issue: objects, item 7): put on one, read on another, kill -9
/// writers and holders, corrupt a chunk on disk, cut an upload short, fill the disk. Every wait
/// is bounded and says what it waited for; none is a timing assertion.
@Suite("objects among real agents", .serialized)
struct ObjectsProcessTests {
    /// Fresh random bytes, read from /dev/urandom in one go (cheap even in a debug build, so
    /// the suite loads the machine as little as it can while other suites run beside it).
    static func randomBytes(_ count: Int) -> [UInt8] {
        let handle = FileHandle(forReadingAtPath: "/dev/urandom")!
        defer { try? handle.close() }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        while bytes.count < count {
            guard let chunk = try? handle.read(upToCount: count - bytes.count), !chunk.isEmpty else {
                fatalError("/dev/urandom gave nothing")  // rather than spin for good
            }
            bytes.append(contentsOf: chunk)
        }
        return bytes
    }

    static func shell(_ command: String) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    func put(_ bytes: [UInt8], via i: Int, in cluster: LocalCluster, replicas: Int = 2) async throws -> AdminAPI.ObjectPut {
        var offset = 0
        let pieces = LockedPieces(bytes)
        let (status, body) = try await AdminClient(socketPath: cluster.socket(i)).upload(
            .PUT, "/v1/objects?replicas=\(replicas)", length: UInt64(bytes.count)
        ) {
            defer { offset += 1 }
            return pieces.piece(offset)
        }
        return try AdminClient.decode(AdminAPI.ObjectPut.self, status: status, body: body)
    }

    func get(_ id: String, via i: Int, in cluster: LocalCluster) async throws -> (status: Int, body: [UInt8]) {
        var status = 0
        var body: [UInt8] = []
        try await AdminClient(socketPath: cluster.socket(i)).download(.GET, "/v1/objects/\(id)") { code, _ in
            status = code
        } onChunk: { chunk in
            body.append(contentsOf: chunk)
        }
        return (status, body)
    }

    func describe(_ id: String, via i: Int, in cluster: LocalCluster) async -> AdminAPI.ObjectInfo? {
        try? await AdminClient(socketPath: cluster.socket(i)).get("/v1/objects/\(id)?describe", as: AdminAPI.ObjectInfo.self)
    }

    func index(of name: String, in cluster: LocalCluster, among candidates: ClosedRange<Int>) -> Int? {
        candidates.first { cluster.name($0) == name }
    }

    /// The chunk files under agent `i`'s store (path → bytes).
    func chunkFiles(of i: Int, in cluster: LocalCluster) -> [String: Data] {
        let root = cluster.dir.path + "/n\(i)/objects/chunks"
        var files: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(atPath: root)
        while let relative = enumerator?.nextObject() as? String {
            let path = root + "/" + relative
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
                files[path] = FileManager.default.contents(atPath: path)
            }
        }
        return files
    }

    func temporaryFiles(of i: Int, in cluster: LocalCluster) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: cluster.dir.path + "/n\(i)/objects/tmp")) ?? []
    }

    @Test("an object put on one agent reads back byte-identical on every other; HEAD, 404, 400; a cut-short upload leaves nothing; a corrupt chunk is never served and is repaired")
    func putGetCorruptTruncate() async throws {
        let cluster = try await LocalCluster(subnet: 71)
        #expect(try await cluster.startConverged(4))
        let bytes = Self.randomBytes(5 << 20 + 12_345)
        let stored = try await self.put(bytes, via: 1, in: cluster)
        #expect(stored.size == UInt64(bytes.count))
        #expect(stored.chunks == 6)
        #expect(stored.replicas >= 2, "answered once durable on its factor")
        for i in 2...4 {
            let (status, body) = try await get(stored.id, via: i, in: cluster)
            #expect(status == 200)
            #expect(body == bytes, "agent \(i) reads the same bytes")
        }
        // An object that repeats one chunk (staged once while the put stages several chunks at
        // a time) reads back whole elsewhere.
        let repeated = [UInt8](repeating: 0x5a, count: 4 << 20 + 5)
        let dedup = try await self.put(repeated, via: 1, in: cluster)
        #expect(dedup.chunks == 5)
        let (dedupStatus, dedupBody) = try await get(dedup.id, via: 3, in: cluster)
        let dedupIntact = dedupBody == repeated
        #expect(dedupStatus == 200 && dedupIntact, "the repeated-chunk object reads back (\(dedupStatus), \(dedupBody.count) bytes)")

        // A client that stalls at its first bytes while the get's fetch runs on: the chunks past
        // what the agent keeps in memory (32 MiB for all its gets) are read back from the store,
        // and the bytes are still the object's, in order.
        let large = Self.randomBytes(40 << 20 + 99)
        let slow = try await self.put(large, via: 2, in: cluster)
        let slowHolders = Set(try #require(await describe(slow.id, via: 2, in: cluster)).holders.map(\.name))
        let slowReader = try #require((1...4).first { !slowHolders.contains(cluster.name($0)) }, "a factor of 2 leaves two agents without a copy")
        let (slowSocket, slowPath) = (cluster.socket(slowReader), "/v1/objects/\(slow.id)")
        let slowBody = await value(within: .seconds(120)) { () async -> [UInt8]? in
            var body: [UInt8] = []
            var stalled = false
            do {
                try await AdminClient(socketPath: slowSocket).download(.GET, slowPath) { _, _ in } onChunk: { piece in
                    if !stalled {
                        stalled = true
                        try await Task.sleep(for: .seconds(2))
                    }
                    body.append(contentsOf: piece)
                }
            } catch {
                return nil
            }
            return body
        }
        #expect(slowBody != nil, "the slow get did not end within 120 s")
        let slowIntact = slowBody.map { $0 == large } ?? false  // a Bool: a 40 MiB array printed by a failure would swamp the log
        #expect(slowIntact, "a slow client of agent \(slowReader) got \(slowBody??.count ?? 0) bytes, not the object's \(large.count)")

        // HEAD: size and holders.
        var headers: [String: String] = [:]
        try await AdminClient(socketPath: cluster.socket(2)).download(.HEAD, "/v1/objects/\(stored.id)") { _, head in headers = head } onChunk: { _ in }
        #expect(headers["content-length"] == String(bytes.count))
        #expect((headers["x-shoal-holders"] ?? "").split(separator: ",").count == 4, "every agent that read it holds it: \(headers)")

        // An unknown id is a 404 with a JSON error; a malformed one is a 400.
        let unknown = String(stored.id.dropLast(4)) + (stored.id.hasSuffix("0000") ? "1111" : "0000")
        let (missing, missingBody) = try await AdminClient(socketPath: cluster.socket(3)).request(.GET, "/v1/objects/\(unknown)")
        #expect(missing == 404)
        #expect((try? JSONDecoder().decode(AdminAPI.ErrorBody.self, from: Data(missingBody))) != nil, "a JSON error body")
        #expect(try await AdminClient(socketPath: cluster.socket(3)).request(.GET, "/v1/objects/not-hex").status == 400)
        #expect(try await AdminClient(socketPath: cluster.socket(3)).request(.PUT, "/v1/objects?replicas=0").status == 400)

        // An upload cut short (the client promises 3 MiB, sends 1 MiB and hangs up): no object,
        // no orphan chunk file, nothing in tmp/.
        let before = chunkFiles(of: 2, in: cluster).count
        let objectsBefore = try await AdminClient(socketPath: cluster.socket(2)).get("/v1/objects", as: [AdminAPI.ObjectEntry].self).count
        do {
            // Two whole chunks arrive (and are staged) before the client goes away.
            let raw = try RawConnection(unixSocket: cluster.socket(2))
            try raw.send("PUT /v1/objects HTTP/1.1\r\nHost: x\r\nContent-Length: \(3 << 20)\r\n\r\n")
            try raw.send(String(repeating: "a", count: 1 << 20) + String(repeating: "b", count: 1 << 20) + "c")
            let staged = await cluster.eventually(timeout: .seconds(30)) { self.chunkFiles(of: 2, in: cluster).count >= before + 2 }
            #expect(staged, "the upload's first chunks were staged as they arrived")
        }
        let cleaned = await cluster.eventually(timeout: .seconds(30)) {
            (try? await AdminClient(socketPath: cluster.socket(2)).get("/v1/objects", as: [AdminAPI.ObjectEntry].self).count) == objectsBefore
                && self.chunkFiles(of: 2, in: cluster).count == before && self.temporaryFiles(of: 2, in: cluster).isEmpty
        }
        #expect(cleaned, "a truncated upload left an object or orphan files on agent 2")

        // Corrupt one chunk file of a single-chunk object on one holder; a reader without a copy
        // still gets the right bytes, and the bad copy is found and restored.
        let small = Self.randomBytes(300_000)
        let second = try await self.put(small, via: 1, in: cluster)
        let info = try #require(await describe(second.id, via: 1, in: cluster))
        let holders = info.holders.compactMap { index(of: $0.name, in: cluster, among: 1...4) }
        let victim = try #require(holders.first { $0 != 1 } ?? holders.first)
        // Random bytes do not compress: the chunk file is the 5-byte header and the 300,000 bytes.
        let (path, original) = try #require(chunkFiles(of: victim, in: cluster).first { $0.value.count == 300_005 }, "agent \(victim) holds the chunk")
        var corrupted = original
        for offset in stride(from: 100, to: corrupted.count, by: 4_096) { corrupted[offset] ^= 0xff }
        try corrupted.write(to: URL(fileURLWithPath: path))
        let reader = try #require((1...4).first { !holders.contains($0) } ?? (1...4).first { $0 != victim })
        if holders.contains(reader) {
            #expect(try await AdminClient(socketPath: cluster.socket(reader)).delete("/v1/objects/\(second.id)").status == 200)
        }
        for _ in 0..<3 {
            let (status, body) = try await get(second.id, via: reader, in: cluster)
            #expect(status == 200)
            #expect(body == small, "the reader got the right bytes despite a corrupt copy on agent \(victim)")
            _ = try await AdminClient(socketPath: cluster.socket(reader)).delete("/v1/objects/\(second.id)")
        }
        let repaired = await cluster.eventually(timeout: .seconds(90)) {
            FileManager.default.contents(atPath: path) == original
        }
        #expect(repaired, "agent \(victim)'s corrupt chunk file was not restored")
    }

    @Test("kill -9 of the writer right after its put, of a holder mid-transfer, and of a home: the object stays readable and returns to its factor")
    func survivesKills() async throws {
        let cluster = try await LocalCluster(subnet: 72)
        #expect(try await cluster.startConverged(5))

        // The writer dies the moment its put has answered: the object is read elsewhere.
        let first = Self.randomBytes(1 << 20 + 7)
        let stored = try await self.put(first, via: 1, in: cluster)
        _ = try await cluster.agents[1]!.stop(signal: SIGKILL)
        for i in 2...5 {
            let (status, body) = try await get(stored.id, via: i, in: cluster)
            #expect(status == 200 && body == first, "agent \(i) reads the dead writer's object")
        }
        let failedEverywhere = await cluster.eventually(timeout: .seconds(60)) {
            for i in 2...5 where await cluster.status(of: cluster.name(1), seenBy: i) == "alive" { return false }
            return true
        }
        #expect(failedEverywhere, "the survivors never saw the writer fail")

        // A holder dies while a reader pulls from both holders: the get completes.
        let big = Self.randomBytes(40 << 20)
        let second = try await self.put(big, via: 2, in: cluster)
        let info = try #require(await describe(second.id, via: 2, in: cluster))
        let homes = info.homes.compactMap { index(of: $0.name, in: cluster, among: 2...5) }
        #expect(homes.count == 2)
        if !homes.contains(2) { #expect(try await AdminClient(socketPath: cluster.socket(2)).delete("/v1/objects/\(second.id)").status == 200) }
        let reader = try #require((2...5).first { !homes.contains($0) && $0 != 2 } ?? (2...5).first { !homes.contains($0) })
        let victim = homes[0]
        async let read = get(second.id, via: reader, in: cluster)
        try await Task.sleep(for: .milliseconds(300))
        _ = try await cluster.agents[victim]!.stop(signal: SIGKILL)
        let (status, body) = try await read
        #expect(status == 200)
        #expect(body == big, "the get completed with the right bytes though holder \(victim) died")

        // Back to two copies on the new homes: the reader's copy is dropped first, so repair
        // must copy the object to whichever new home lacks it.
        _ = try await AdminClient(socketPath: cluster.socket(reader)).delete("/v1/objects/\(second.id)")
        let alive = (2...5).filter { $0 != victim }
        let settled = await cluster.eventually(timeout: .seconds(90)) {
            guard let now = await describe(second.id, via: alive[0], in: cluster) else { return false }
            let holders = Set(now.holders.map(\.name))
            return now.homes.count == 2 && now.homes.allSatisfy { holders.contains($0.name) } && !holders.contains(cluster.name(victim))
        }
        let final = await describe(second.id, via: alive[0], in: cluster)
        #expect(settled, "the object did not return to two copies on its homes: \(String(describing: final))")
        for i in alive {
            let (status, body) = try await get(second.id, via: i, in: cluster)
            #expect(status == 200 && body == big, "agent \(i) reads it after the repair")
        }
    }

    @Test(
        "a full disk during a put answers 507, leaves nothing half-written, and the agent keeps serving; a put elsewhere whose home is that agent keeps the writer's copy as a home"
    )
    func fullDisk() async throws {
        let cluster = try await LocalCluster(subnet: 73)
        let state = cluster.dir.path + "/n1"
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        let mounted = try Self.shell("mount -t tmpfs -o size=12m tmpfs \(state)")
        try #require(mounted == 0, "cannot mount a tmpfs (the test needs root)")
        defer { _ = try? Self.shell("umount -l \(state)") }
        try cluster.start(1)
        _ = try await cluster.agents[1]!.waitUntilServing()
        let small = Self.randomBytes(200_000)
        let kept = try await self.put(small, via: 1, in: cluster, replicas: 1)
        let big = Self.randomBytes(32 << 20)
        let pieces = LockedPieces(big)
        var offset = 0
        let (status, body) = try await AdminClient(socketPath: cluster.socket(1)).upload(.PUT, "/v1/objects?replicas=1", length: UInt64(big.count)) {
            defer { offset += 1 }
            return pieces.piece(offset)
        }
        #expect(status == 507, "a put onto a full disk: \(String(decoding: body, as: UTF8.self))")
        #expect(try await AdminClient(socketPath: cluster.socket(1)).get("/v1/info", as: AdminAPI.Info.self).name == "n1")
        let listed = try await AdminClient(socketPath: cluster.socket(1)).get("/v1/objects", as: [AdminAPI.ObjectEntry].self)
        #expect(listed.map(\.id) == [kept.id], "only the object stored before remains")
        #expect(chunkFiles(of: 1, in: cluster).count == 1, "no chunk of the failed put is left")
        #expect(temporaryFiles(of: 1, in: cluster).isEmpty)
        let (readStatus, readBody) = try await get(kept.id, via: 1, in: cluster)
        #expect(readStatus == 200 && readBody == small)

        // n2 writes objects too big for n1's disk until one has n1 as its home: n1 cannot take
        // that replica, so n2's copy is the object's only one and must not stay evictable.
        try cluster.start(2)
        _ = try await cluster.agents[2]!.waitUntilServing()
        #expect(await cluster.eventually(timeout: .seconds(30)) { await cluster.status(of: "n1", seenBy: 2) == "alive" })
        var homedOnFullDisk: AdminAPI.ObjectPut?
        for _ in 0..<10 where homedOnFullDisk == nil {
            let put = try await self.put(Self.randomBytes(16 << 20), via: 2, in: cluster, replicas: 1)
            if await describe(put.id, via: 2, in: cluster)?.homes.first?.name == "n1" {
                homedOnFullDisk = put
            } else {
                _ = try await AdminClient(socketPath: cluster.socket(2)).delete("/v1/objects/\(put.id)")
            }
        }
        let stranded = try #require(homedOnFullDisk, "none of ten objects had n1 as its home")
        let entries = try await AdminClient(socketPath: cluster.socket(2)).get("/v1/objects", as: [AdminAPI.ObjectEntry].self)
        #expect(
            entries.first { $0.id == stranded.id }?.pin == "home",
            "the writer's copy, the only one, is evictable: \(entries.filter { $0.id == stranded.id })")
    }
}

/// An object's bytes handed out a MiB at a time to an upload closure.
final class LockedPieces: Sendable {
    let bytes: [UInt8]
    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func piece(_ index: Int) -> [UInt8]? {
        let start = index << 20
        guard start < bytes.count else { return nil }
        return Array(bytes[start..<min(bytes.count, start + (1 << 20))])
    }
}
