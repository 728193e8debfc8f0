import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import ShoalCrypto
import ShoalMembership
import ShoalWire

/// The shell around the SWIM core: owns the UDP socket, the TCP listener and the
/// clock, feeds the core what arrives, and carries out the effects it returns.
actor MembershipService {
    struct Settings: Sendable {
        var bind: HostPort
        var advertise: HostPort
        var seeds: [HostPort]
        var profile: MembershipConfig
    }

    let settings: Settings
    let credentials: NodeCredentials
    let logger: Logger
    let metrics: AgentMetrics
    let clock: ContinuousClock
    let started: ContinuousClock.Instant
    let incarnations: IncarnationStore
    var core: Membership
    var gate: CertificateGate
    var replay: [PublicKey: ReplayWindow] = [:]
    var counter: EnvelopeCounter
    var udp: any Channel
    var lastReopen: ContinuousClock.Instant?
    var socketAddresses: [MemberAddress: SocketAddress] = [:]
    var stopping = false
    let sockets: GossipSockets
    var streamJobs: AsyncStream<StreamJob>.Continuation?
    var subscribers: [UInt64: AsyncStream<AdminAPI.MemberEvent>.Continuation] = [:]
    var nextSubscriber: UInt64 = 0
    let requestShutdown: @Sendable () -> Void

    init(
        settings: Settings, sockets: GossipSockets, credentials: NodeCredentials, stateDirectory: String,
        labels: [String: String],
        logger: Logger, metrics: AgentMetrics, requestShutdown: @escaping @Sendable () -> Void
    ) throws(AgentError) {
        self.settings = settings
        self.sockets = sockets
        udp = sockets.udp
        self.credentials = credentials
        self.logger = logger
        self.metrics = metrics
        self.requestShutdown = requestShutdown
        clock = ContinuousClock()
        started = clock.now
        incarnations = IncarnationStore(stateDirectory: stateDirectory)
        let previous = try incarnations.load()
        let myself = NodeID(bytes: credentials.nodeID.bytes)
        let metadata = MemberMetadata(
            name: credentials.certificate.name,
            address: MemberAddress(host: settings.advertise.host, port: UInt16(settings.advertise.port)),
            labels: labels, cpuMillis: UInt32(ProcessInfo.processInfo.activeProcessorCount * 1_000),
            memoryBytes: ProcessInfo.processInfo.physicalMemory, version: ShoalVersion.current,
            certificate: credentials.certificate.encoded())
        let now = UInt64(Date().timeIntervalSince1970 * 1_000_000)
        counter = EnvelopeCounter(start: now)
        gate = CertificateGate(authority: credentials.authority, myself: myself)
        core = Membership(
            myself: myself, metadata: metadata, incarnation: previous + 1, config: settings.profile,
            authenticator: Ed25519Authenticator(key: credentials.key), randomSeed: UInt64.random(in: .min ... .max),
            now: .zero)
    }

    /// Virtual time of the core: time since this service started.
    var now: Duration { clock.now - started }

    var unixSeconds: UInt64 { UInt64(Date().timeIntervalSince1970) }

    /// The members as the admin API shows them.
    func members() -> [AdminAPI.Member] {
        core.members.map(AdminAPI.Member.init)
    }

    /// Runs until graceful shutdown, then leaves the cluster.
    func run() async throws {
        let (jobs, jobContinuation) = AsyncStream.makeStream(of: StreamJob.self)
        streamJobs = jobContinuation
        let datagrams = sockets.datagrams
        let datagramContinuation = sockets.continuation
        let tcp = sockets.tcp
        metrics.setMembers(core.members)
        logger.info("gossip listening", metadata: ["bind": "\(settings.bind)", "advertise": "\(settings.advertise)"])

        await withDiscardingTaskGroup { group in
            group.addTask {
                for await datagram in datagrams { await self.receive(datagram) }
            }
            group.addTask {
                try? await tcp.executeThenClose { inbound in
                    try await withThrowingDiscardingTaskGroup { connections in
                        for try await connection in inbound {
                            connections.addTask { await self.serve(connection) }
                        }
                    }
                }
            }
            group.addTask {
                await withDiscardingTaskGroup { outbound in
                    for await job in jobs { outbound.addTask { await self.perform(job) } }
                }
            }
            // Both end when shutdown begins; the leave below ticks the core itself.
            group.addTask { await cancelWhenGracefulShutdown { await self.tickLoop() } }
            group.addTask { await cancelWhenGracefulShutdown { await self.retryJoin() } }
            group.addTask {
                try? await gracefulShutdown()
                await self.leaveAndClose(tcp: tcp.channel)
                datagramContinuation.finish()
                jobContinuation.finish()
            }
        }
    }

    /// Calls the core's tick at its deadlines; a short cap keeps new deadlines honoured.
    private func tickLoop() async {
        while !Task.isCancelled && !core.hasLeft {
            let wait = min(max(core.nextDeadline - now, .milliseconds(2)), .milliseconds(100))
            do { try await clock.sleep(for: wait) } catch { return }
            if now >= core.nextDeadline {
                await apply(core.tick(now: now))
            }
        }
    }

    /// Joins through the configured seeds, retrying with backoff until one answers.
    private func retryJoin() async {
        guard !settings.seeds.isEmpty else {
            await apply(core.join(seeds: [], now: now))
            return
        }
        var backoff = Duration.seconds(1)
        while !Task.isCancelled {
            let joined = await join(settings.seeds, register: true)
            if joined > 0 { return }
            logger.warning(
                "no seed answered; retrying", metadata: ["seeds": "\(settings.seeds)", "in": "\(backoff)"])
            do { try await clock.sleep(for: backoff) } catch { return }
            backoff = min(backoff * 2, .seconds(30))
        }
    }

    /// Push-pulls with each address; returns how many answered.
    func join(_ addresses: [HostPort], register: Bool) async -> Int {
        let seeds = addresses.map { MemberAddress(host: $0.host, port: UInt16($0.port)) }
        if register {
            // Persists the incarnation and records the seeds for re-probing after partitions.
            for effect in core.join(seeds: seeds, now: now) {
                if case .persistIncarnation = effect { await apply([effect]) }
            }
        }
        var answered = 0
        for seed in seeds {
            let state = core.pushPullState(isJoin: true)
            if await pushPull(state, to: seed) { answered += 1 }
        }
        return answered
    }
}
