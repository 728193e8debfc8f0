import Foundation
import Logging
import Metrics
import ShoalAgent
import ShoalCrypto
import ShoalTransport
import ShoalWire
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Real agents against hostile peers on the gossip TCP port, which the transport now owns.
@Suite("transport against hostile peers", .serialized)
struct TransportHostileTests {
    /// A node key certified by an authority of its own, speaking `cluster`'s id and trusting its
    /// authority, so only the agent's certificate check can refuse it.
    static func stranger(of cluster: LocalCluster) throws -> Transport {
        let authority = try ClusterAuthority.loadPublic(directory: cluster.clusterDirectory)
        let other = ClusterAuthority(signingKey: .generate())
        let key = SigningKey.generate()
        let certificate = try other.issue(nodeKey: key.publicKey, name: "stranger", expiresAt: UInt64.max / 2)
        return Transport(
            identity: TransportIdentity(key: key, certificate: certificate, authority: authority, clusterID: ClusterID(authority: authority)),
            clock: ContinuousClock(), wallClock: { UInt64(Date().timeIntervalSince1970) },
            metrics: TransportMetrics(factory: NOOPMetricsHandler.instance), logger: Logger(label: "stranger"))
    }

    @Test("a stream from a key without this cluster's certificate gets no member table and is counted")
    func uncertifiedStreamGetsNothing() async throws {
        let cluster = try await LocalCluster(subnet: 51)
        #expect(try await cluster.startConverged(2))
        let stranger = try Self.stranger(of: cluster)
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await stranger.run() }
            defer { stranger.shutdown() }
            var request = Shoal_Wire_V1_StreamMessage()
            request.streamPing.seq = 1
            // Noise XX: the dialler's side completes when it sends its last message; the agent
            // then checks the certificate and hangs up before reading anything.
            let connection = try await stranger.connect(to: "127.0.51.1", port: 7946, protocol: .membership)
            try? await connection.send(request)
            await #expect(throws: TransportError.self) { _ = try await connection.receive(Shoal_Wire_V1_StreamMessage.self) }
        }
        #expect(await cluster.eventually(timeout: .seconds(10)) {
            await cluster.metric("shoal_transport_refused_total{reason=\"uncertified\"}", of: 1).hasSuffix(" 1")
        })
        #expect(await cluster.status(of: "stranger", seenBy: 1) == nil)
    }

    @Test("half-open connections, huge declared frames and an uncertified flood neither grow memory nor cause a suspicion")
    func hostileLoad() async throws {
        let cluster = try await LocalCluster(subnet: 52)
        #expect(try await cluster.startConverged(3))
        let victim = cluster.agents[1]!.process.processIdentifier
        let before = try Self.residentBytes(victim)
        #expect(before > 0, "no VmRSS for the agent")
        var sockets: [Int32] = []
        defer { for fd in sockets { close(fd) } }
        // 2,000 half-open connections: a few bytes of a first handshake message, then silence.
        for _ in 0..<2_000 {
            if let fd = Self.connect(to: "127.0.52.1", port: 7946) {
                _ = [UInt8](repeating: 0, count: 6).withUnsafeBytes { write(fd, $0.baseAddress, 6) }
                sockets.append(fd)
            }
        }
        // The flood must have reached the agent for its bounds to mean anything.
        #expect(sockets.count >= 1_900, "only \(sockets.count) of 2,000 half-open connections connected")
        // 150 connections that each declare an 8 MiB frame and hold.
        for _ in 0..<150 {
            if let fd = Self.connect(to: "127.0.52.1", port: 7946) {
                let prefix: [UInt8] = [0x00, 0x80, 0x00, 0x00]
                _ = prefix.withUnsafeBytes { write(fd, $0.baseAddress, 4) }
                sockets.append(fd)
            }
        }
        // Six uncertified streams, dialling again and again for a while.
        let stranger = try Self.stranger(of: cluster)
        let attempts = try await withThrowingTaskGroup(of: Int.self) { group in
            group.addTask { await stranger.run(); return 0 }
            for _ in 0..<6 {
                group.addTask {
                    var count = 0
                    let deadline = ContinuousClock.now + .seconds(8)
                    while ContinuousClock.now < deadline {
                        var request = Shoal_Wire_V1_StreamMessage()
                        request.pushPull = Shoal_Wire_V1_PushPull()
                        // Counted only when the stranger reached the agent: a handshake it refused,
                        // or a stream it cut.
                        do {
                            let connection = try await stranger.connect(to: "127.0.52.1", port: 7946, protocol: .membership)
                            try? await connection.send(request, body: Data(count: 1 << 20))
                            _ = try? await connection.receive(Shoal_Wire_V1_StreamMessage.self)
                            connection.close()
                            count += 1
                        } catch TransportError.connectFailed {
                            try? await Task.sleep(for: .milliseconds(10))
                        } catch {
                            count += 1
                        }
                    }
                    return count
                }
            }
            // Meanwhile the admin socket answers and every member stays alive everywhere.
            for _ in 0..<40 {
                let members = try await cluster.members(seenBy: 1)
                #expect(members.allSatisfy { $0.status == "alive" }, "a member was suspected under the flood: \(members.map { "\($0.name)=\($0.status)" })")
                for i in 2...3 {
                    #expect(await cluster.status(of: "n1", seenBy: i) == "alive")
                }
                try await Task.sleep(for: .milliseconds(250))
            }
            var total = 0
            for _ in 0..<6 { total += try await group.next() ?? 0 }
            stranger.shutdown()
            return total
        }
        #expect(attempts > 6, "the uncertified streams reached the agent only \(attempts) times")
        let after = try Self.residentBytes(victim)
        #expect(after < before + 64 << 20, "resident memory grew from \(before >> 20) to \(after >> 20) MiB")
        #expect(await cluster.status(of: "stranger", seenBy: 1) == nil)
    }

    /// A blocking TCP connect from this process; nil if refused.
    static func connect(to host: String, port: UInt16) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        inet_pton(AF_INET, host, &address.sin_addr)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            close(fd)
            return nil
        }
        return fd
    }

    /// VmRSS of `pid`, in bytes.
    static func residentBytes(_ pid: Int32) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
            let kilobytes = Int(line.split(separator: " ")[1])
        else { return 0 }
        return kilobytes << 10
    }
}
