import Foundation
import Logging
import ShoalCrypto
import ShoalMembership
import ShoalTransport
import ShoalWire
import Testing

@testable import ShoalAgent

/// The membership shell in one process, its streams on an in-memory transport: no TCP socket,
/// so what the shell does with a push-pull is pinned without a cluster of processes.
@Suite("membership shell over an in-memory transport")
struct MembershipShellTests {
    let authority = ClusterAuthority(signingKey: .generate())
    let network = MemoryNetwork()

    struct Node {
        let service: MembershipService
        let transport: Transport
        let address: HostPort
        let metrics: AgentMetrics
    }

    func credentials(_ name: String) throws -> NodeCredentials {
        let key = SigningKey.generate()
        let certificate = try authority.issue(nodeKey: key.publicKey, name: name, expiresAt: UInt64.max / 2)
        return NodeCredentials(key: key, authority: authority.publicKey, certificate: certificate, keyCreated: true)
    }

    /// `.local` that never probes on its own: for tests that read a member's incarnation, which
    /// a suspicion raised by a probe the loaded test process answered late would bump.
    static let quiet: MembershipConfig = {
        var config = MembershipConfig.local
        config.probeInterval = .seconds(3600)
        return config
    }()

    func node(_ name: String, directory: TemporaryDirectory, profile: MembershipConfig = .local) async throws -> Node {
        let credentials = try credentials(name)
        let transport = Transport(
            identity: TransportIdentity(
                key: credentials.key, certificate: credentials.certificate, authority: credentials.authority,
                clusterID: credentials.clusterID),
            clock: ContinuousClock(), wallClock: { ShellClock.system.unixSeconds }, dialer: network.dialer(from: "127.0.0.1:0"),
            metrics: TransportMetrics(factory: AgentMetrics(version: "test", nodeName: name).factory), logger: Logger(label: name))
        let metrics = AgentMetrics(version: "test", nodeName: name)
        let sockets = try await GossipSockets.bind(HostPort(host: "127.0.0.1", port: 0))
        let address = HostPort(host: "127.0.0.1", port: sockets.port)
        let service = try MembershipService(
            settings: .init(bind: address, advertise: address, seeds: [], profile: profile), sockets: sockets, transport: transport,
            credentials: credentials, stateDirectory: directory.path + "/" + name, labels: [:], logger: Logger(label: name),
            metrics: metrics, requestShutdown: {})
        MembershipSubsystem(service: service).registerProtocols(on: transport)
        network.attach(transport, at: address.description)
        return Node(service: service, transport: transport, address: address, metrics: metrics)
    }

    func run(_ nodes: [Node], _ body: () async throws -> Void) async throws {
        try await withThrowingDiscardingTaskGroup { group in
            for node in nodes {
                group.addTask { await node.transport.run() }
                group.addTask { try await node.service.run() }
            }
            defer { group.cancelAll() }
            try await body()
            for node in nodes { node.transport.shutdown() }
        }
    }

    @Test("a push-pull over the transport makes two nodes members of each other")
    func pushPullJoins() async throws {
        let directory = TemporaryDirectory()
        let a = try await node("a", directory: directory), b = try await node("b", directory: directory)
        try await run([a, b]) {
            #expect(await a.service.join([b.address], register: false) == 1)
            #expect(await a.service.members().contains { $0.name == "b" && $0.status == "alive" })
            #expect(await b.service.members().contains { $0.name == "a" && $0.status == "alive" })
        }
    }

    @Test("a gossip channel closed under the agent is bound again, and the node goes on gossiping")
    func closedChannelReopened() async throws {
        let directory = TemporaryDirectory()
        let a = try await node("a", directory: directory), b = try await node("b", directory: directory)
        try await run([a, b]) {
            #expect(await a.service.join([b.address], register: false) == 1)
            let closed = await a.service.udp
            try await closed.channel.close()
            // No send of a's fails (its sender's descriptor keeps the socket open): only a check
            // of the channel itself finds it closed.
            var reopened = false
            for _ in 0..<100 where !reopened {
                let current = await a.service.udp
                reopened = current.isActive && current.channel !== closed.channel
                if !reopened { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(reopened, "the closed gossip channel was not bound again within 10 s")
            // Probes that went unanswered while nothing was read may have raised a suspicion; b
            // refutes it over the new socket, so a holds b alive again.
            var alive = false
            for _ in 0..<100 where !alive {
                alive = await a.service.members().contains { $0.name == "b" && $0.status == "alive" }
                if !alive { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(alive, "a did not hold b alive within 10 s of its gossip socket being bound again")
        }
    }

    @Test("a push-pull signed for another node than the connection's peer is refused and merges nothing")
    func pushPullMustComeFromPeer() async throws {
        let directory = TemporaryDirectory()
        let a = try await node("a", directory: directory)
        let impostor = try credentials("impostor"), victim = try credentials("victim")
        let dialler = dialler(as: impostor, named: "impostor")
        try await run([a]) {
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask { await dialler.run() }
                defer { dialler.shutdown() }
                // The victim's own, validly signed and certified alive statement, relayed by the impostor.
                let metadata = MemberMetadata(
                    name: "victim", address: MemberAddress(host: "127.0.0.77", port: 7946), certificate: victim.certificate.encoded())
                let alive = Statement.signed(
                    subject: NodeID(bytes: victim.key.publicKey.bytes), incarnation: 1, claim: .alive(metadata),
                    by: Ed25519Authenticator(key: victim.key))
                var request = Shoal_Wire_V1_StreamMessage()
                request.pushPull = WireMapping.encode(PushPullState(sender: alive, entries: [], isJoin: true), isReply: false)
                let connection = try await dialler.connect(to: a.address.host, port: a.address.port, protocol: .membership)
                try await connection.send(request)
                await #expect(throws: TransportError.self) { _ = try await connection.receive(Shoal_Wire_V1_StreamMessage.self) }
            }
            #expect(await !a.service.members().contains { $0.name == "victim" })
            #expect(String(decoding: a.metrics.render(uptimeSeconds: 0), as: UTF8.self).contains("reason=\"push_pull_not_from_peer\"} 1"))
        }
    }

    /// A transport of `credentials` that only dials out, on the in-memory network.
    func dialler(as credentials: NodeCredentials, named name: String) -> Transport {
        Transport(
            identity: TransportIdentity(
                key: credentials.key, certificate: credentials.certificate, authority: credentials.authority,
                clusterID: credentials.clusterID),
            clock: ContinuousClock(), wallClock: { ShellClock.system.unixSeconds }, dialer: network.dialer(from: "127.0.0.1:9"),
            metrics: TransportMetrics(factory: AgentMetrics(version: "test", nodeName: name).factory), logger: Logger(label: name))
    }

    /// A certified peer's push-pull carrying `entries`, answered by `target`: returns once the
    /// target's reply arrived, so its merge is done.
    func pushPull(as peer: NodeCredentials, entries: [PushPullEntry], to target: Node) async throws {
        let dialler = dialler(as: peer, named: "peer")
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await dialler.run() }
            defer { dialler.shutdown() }
            let metadata = MemberMetadata(
                name: peer.certificate.name, address: MemberAddress(host: "127.0.0.78", port: 7946), certificate: peer.certificate.encoded())
            let alive = Statement.signed(
                subject: NodeID(bytes: peer.key.publicKey.bytes), incarnation: 1, claim: .alive(metadata), by: Ed25519Authenticator(key: peer.key))
            var request = Shoal_Wire_V1_StreamMessage()
            request.pushPull = WireMapping.encode(PushPullState(sender: alive, entries: entries, isJoin: false), isReply: false)
            let connection = try await dialler.connect(to: target.address.host, port: target.address.port, protocol: .membership)
            try await connection.send(request)
            _ = try await connection.receive(Shoal_Wire_V1_StreamMessage.self)
        }
    }

    @Test("accusations in a push-pull count only from a certified accuser, as by gossip; an entry a stranger accuses is not taken at all")
    func pushPullAccusationsNeedCertifiedAccuser() async throws {
        let directory = TemporaryDirectory()
        let a = try await node("a", directory: directory, profile: Self.quiet)
        let b = try await node("b", directory: directory, profile: Self.quiet)
        let peer = try credentials("peer"), ghost = try credentials("ghost")
        // Validly signed, but this authority never certified the stranger's key.
        let strangerKey = SigningKey.generate()
        let stranger = Ed25519Authenticator(key: strangerKey), strangerID = NodeID(bytes: strangerKey.publicKey.bytes)
        try await run([a, b]) {
            #expect(await a.service.join([b.address], register: false) == 1)
            let bAlive = await b.service.core.ownAlive
            let ghostMetadata = MemberMetadata(
                name: "ghost", address: MemberAddress(host: "127.0.0.79", port: 7946), certificate: ghost.certificate.encoded())
            let ghostAlive = Statement.signed(
                subject: NodeID(bytes: ghost.key.publicKey.bytes), incarnation: 1, claim: .alive(ghostMetadata),
                by: Ed25519Authenticator(key: ghost.key))
            let forged = [
                PushPullEntry(
                    alive: bAlive,
                    accusation: .signed(subject: bAlive.subject, incarnation: bAlive.incarnation, claim: .dead(accuser: strangerID, left: false), by: stranger)),
                PushPullEntry(
                    alive: ghostAlive, accusation: .signed(subject: ghostAlive.subject, incarnation: 1, claim: .suspect(accuser: strangerID), by: stranger)),
            ]
            try await pushPull(as: peer, entries: forged, to: a)
            let seen = await a.service.members()
            // Dead, or refuted by b (a higher incarnation), had the accusation been taken.
            #expect(seen.contains { $0.name == "b" && $0.status == "alive" && $0.incarnation == bAlive.incarnation })
            #expect(!seen.contains { $0.name == "ghost" }, "an entry accused by a stranger joined as a member")
            #expect(String(decoding: a.metrics.render(uptimeSeconds: 0), as: UTF8.self).contains("reason=\"uncertified_accuser\"} 2"))

            // The same accusation from the certified peer is taken: the path is open to real deaths.
            let peerAuthenticator = Ed25519Authenticator(key: peer.key), peerID = NodeID(bytes: peer.key.publicKey.bytes)
            let real = [
                PushPullEntry(
                    alive: bAlive,
                    accusation: .signed(
                        subject: bAlive.subject, incarnation: bAlive.incarnation, claim: .dead(accuser: peerID, left: false),
                        by: peerAuthenticator))
            ]
            try await pushPull(as: peer, entries: real, to: a)
            let after = await a.service.members()
            #expect(after.contains { $0.name == "b" && ($0.status == "dead" || $0.incarnation > bAlive.incarnation) })
        }
    }
}
