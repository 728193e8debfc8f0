import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import ShoalCrypto
import ShoalMembership
import ShoalTransport
import ShoalWire

/// The shell around the SWIM core: owns the UDP socket, speaks `membership/1` over the
/// transport (push-pull and the fallback ping), feeds the core what arrives, and carries out
/// the effects it returns. Time comes from an injected `ShellClock`.
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
    let metrics: MembershipMetrics
    let clock: ShellClock
    let transport: Transport
    let streamLimits = StreamRateLimit()
    let certificates: CertificateCache
    let incarnations: IncarnationStore
    var core: Membership
    var gate: CertificateGate<CertificateCache>
    var replay: [PublicKey: ReplayWindow] = [:]
    var counter: EnvelopeCounter
    var udp: GossipUDP
    var lastReopen: Duration?
    var socketAddresses: [MemberAddress: SocketAddress] = [:]
    var stopping = false
    let sockets: GossipSockets
    var streamJobs: AsyncStream<StreamJob>.Continuation?
    var feedSubscribers: [UInt64: AsyncStream<MembershipFeed.Change>.Continuation] = [:]
    var nextSubscriber: UInt64 = 0
    var feedVersion: UInt64 = 0
    let requestShutdown: @Sendable () -> Void

    init(
        settings: Settings, sockets: GossipSockets, transport: Transport, credentials: NodeCredentials,
        stateDirectory: String, labels: [String: String], clock: ShellClock = .system,
        logger: Logger, metrics: AgentMetrics, requestShutdown: @escaping @Sendable () -> Void
    ) throws(AgentError) {
        self.settings = settings
        self.sockets = sockets
        udp = sockets.udp
        self.credentials = credentials
        self.logger = logger
        self.metrics = MembershipMetrics(factory: metrics.factory)
        self.requestShutdown = requestShutdown
        self.clock = clock
        self.transport = transport
        incarnations = IncarnationStore(stateDirectory: stateDirectory)
        let previous = try incarnations.load()
        let myself = NodeID(bytes: credentials.nodeID.bytes)
        let metadata = MemberMetadata(
            name: credentials.certificate.name,
            address: MemberAddress(host: settings.advertise.host, port: UInt16(settings.advertise.port)),
            labels: labels, cpuMillis: UInt32(ProcessInfo.processInfo.activeProcessorCount * 1_000),
            memoryBytes: ProcessInfo.processInfo.physicalMemory, version: ShoalVersion.current,
            certificate: credentials.certificate.encoded())
        // Above every counter the previous life of this node can have used (one a datagram).
        counter = EnvelopeCounter(start: clock.unixMicroseconds())
        certificates = CertificateCache(authority: credentials.authority)
        gate = CertificateGate(certificates: certificates, myself: myself)
        // Datagrams carry certificate cores (WireMapping), so more alive statements fit one.
        var config = settings.profile
        config.certificateBytesElided = NodeCertificate.coreOmittedBytes
        core = Membership(
            myself: myself, metadata: metadata, incarnation: previous + 1, config: config,
            authenticator: Ed25519Authenticator(key: credentials.key), randomSeed: UInt64.random(in: .min ... .max),
            now: .zero)
    }

    /// Virtual time of the core: time since this service started.
    var now: Duration { clock.elapsed() }

    var unixSeconds: UInt64 { clock.unixSeconds }

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
        metrics.setMembers(core.members)
        logger.info("gossip listening", metadata: ["bind": "\(settings.bind)", "advertise": "\(settings.advertise)"])

        await withDiscardingTaskGroup { group in
            group.addTask {
                for await datagram in datagrams { await self.receive(datagram) }
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
                await self.leaveAndClose()
                datagramContinuation.finish()
                jobContinuation.finish()
            }
        }
    }

    /// Calls the core's tick at its deadlines; a short cap keeps new deadlines honoured.
    private func tickLoop() async {
        while !Task.isCancelled && !core.hasLeft {
            let wait = min(max(core.nextDeadline - now, .milliseconds(2)), .milliseconds(100))
            do { try await clock.sleep(wait) } catch { return }
            await reopenUDPIfClosed()
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
            do { try await clock.sleep(backoff) } catch { return }
            backoff = min(backoff * 2, .seconds(30))
        }
    }

    /// Joins through `addresses`: with `register`, the core's `join` (persist the incarnation,
    /// remember the seeds for re-probing, gossip ourselves), else only `contact` (an operator's
    /// `shoal join`); every effect is carried out, the push-pulls at once. Returns how many
    /// answered; stops early when the calling task is cancelled (the client went away).
    func join(_ addresses: [HostPort], register: Bool) async -> Int {
        let seeds = addresses.map { MemberAddress(host: $0.host, port: UInt16($0.port)) }
        let effects = register ? core.join(seeds: seeds, now: now) : core.contact(seeds)
        var answered = 0
        for effect in effects {
            guard !Task.isCancelled else { break }
            if case .pushPull(let state, let address) = effect {
                if await pushPull(state, to: address) { answered += 1 }
            } else {
                await apply([effect])
            }
        }
        return answered
    }
}
