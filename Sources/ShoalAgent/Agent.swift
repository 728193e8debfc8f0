import Foundation
import Hummingbird
public import Logging
import Metrics
import NIOCore
import ServiceLifecycle
import ShoalConsensus
import ShoalCrypto
import ShoalMembership
import ShoalTransport

/// The shell: owns every socket, file and clock of one node and wires the pure
/// cores to them. `run` returns after SIGTERM or SIGINT once every service has
/// shut down.
public struct Agent: Sendable {
    public let configuration: AgentConfiguration
    public let logger: Logger
    let environment: [String: String]

    public init(configuration: AgentConfiguration, logger: Logger, environment: [String: String]) {
        self.configuration = configuration
        self.logger = logger
        self.environment = environment
    }

    /// Starts the agent and runs it until a shutdown signal, its tasks on the event loops
    /// (`EventLoopExecutor`).
    /// - Throws: `AgentError` when a credential, directory or listener cannot be set up.
    public func run() async throws {
        try await withTaskExecutorPreference(EventLoopExecutor.shared) { try await runHere() }
    }

    private func runHere() async throws {
        AllocatorTuning.keepFrameBuffersInHeap()
        let now = UInt64(Date().timeIntervalSince1970)
        let credentials = try NodeCredentials.load(configuration: configuration, now: now)
        if credentials.keyCreated {
            logger.notice("created node key", metadata: ["path": "\(configuration.stateDirectory)/node.key"])
        }
        try AdminSocket.claim(configuration.adminSocket)
        defer { AdminSocket.release(configuration.adminSocket) }

        let metrics = AgentMetrics(version: ShoalVersion.current, nodeName: configuration.name)
        let (sockets, listener) = try await Self.bindGossip(configuration.bind)
        let (advertise, advertiseWarning) = Self.advertiseAddress(configuration: configuration, boundPort: sockets.port)
        if let advertiseWarning { logger.warning("\(advertiseWarning)", metadata: ["advertise": "\(advertise)"]) }
        let (shutdownRequests, requestShutdown) = AsyncStream.makeStream(of: Void.self)
        let clock = ShellClock.eventLoop
        let transport = Transport(
            identity: TransportIdentity(
                key: credentials.key, certificate: credentials.certificate, authority: credentials.authority,
                clusterID: credentials.clusterID),
            configuration: configuration.transport, clock: clock.clock, wallClock: { clock.unixSeconds },
            // Bound to one address: connections leave from it too, as gossip does.
            dialer: TCPDialer(source: configuration.bind.isUnspecified ? nil : configuration.bind.host),
            metrics: TransportMetrics(factory: metrics.factory), logger: logger)
        let membership = try MembershipService(
            settings: MembershipService.Settings(
                bind: HostPort(host: configuration.bind.host, port: sockets.port), advertise: advertise,
                seeds: configuration.retryJoin, profile: configuration.profile.membershipConfig),
            sockets: sockets, transport: transport, credentials: credentials, stateDirectory: configuration.stateDirectory,
            labels: configuration.labels, clock: clock, logger: logger, metrics: metrics,
            requestShutdown: { requestShutdown.yield() })
        let consensusSettings = ConsensusService.Settings(
            bootstrapExpect: configuration.bootstrapExpect, directory: configuration.stateDirectory + "/raft")
        let stored = try ConsensusService.checkState(consensusSettings)
        let consensus = ConsensusService(
            myself: ReplicaID(bytes: credentials.nodeID.bytes)!, name: configuration.name,
            settings: consensusSettings,
            transport: transport, membership: membership, clock: clock, logger: logger,
            metrics: ConsensusMetrics(factory: metrics.factory), stored: stored)
        let objectsDirectory = configuration.stateDirectory + "/objects"
        let store: ChunkStore
        do {
            store = try ChunkStore(directory: objectsDirectory, configuration: configuration.objects.store)
        } catch {
            throw AgentError.stateDirectory(path: objectsDirectory, reason: error.description)
        }
        var objectSettings = ObjectService.Settings()
        objectSettings.defaultFactor = configuration.objects.replicas
        let objects = ObjectService(
            settings: objectSettings, store: store, transport: transport, membership: membership, myself: NodeID(bytes: credentials.nodeID.bytes),
            name: configuration.name, clock: clock, logger: logger)
        let tasks = TaskService(
            settings: TaskService.Settings(
                directory: configuration.stateDirectory + "/tasks", maxRunning: configuration.tasks.maxRunning, retention: configuration.tasks.retention),
            myself: NodeID(bytes: credentials.nodeID.bytes),
            consensus: consensus, objects: objects, membership: membership, clock: clock, logger: logger)
        // Every subsystem plugs in here, and only here.
        let subsystems: [any AgentSubsystem] = [
            MembershipSubsystem(service: membership), ConsensusSubsystem(service: consensus, membership: membership),
            ObjectsSubsystem(service: objects), TasksSubsystem(service: tasks, objects: objects),
        ]
        for subsystem in subsystems { subsystem.registerProtocols(on: transport) }
        let state = AdminState(
            credentials: credentials, configuration: configuration, metrics: metrics, started: .now,
            subsystems: subsystems, gossipAddress: advertise, taskIsolation: tasks.isolation)
        let notifier = SystemdNotifier(environment: environment)
        var listeners: Set<String> = ["admin"]
        if configuration.metricsAddress != nil { listeners.insert("metrics") }
        let socketPath = configuration.adminSocket
        let logger = self.logger
        let readiness = Readiness(listeners: listeners) {
            do {
                try AdminSocket.restrict(socketPath)
            } catch {
                logger.error("\(error)")
            }
            notifier.notify("READY=1")
            logger.info(
                "agent ready",
                metadata: [
                    "node": "\(credentials.nodeID.shortID)", "name": "\(configuration.name)",
                    "cluster": "\(credentials.clusterID.hex)", "admin": "\(socketPath)",
                ])
        }

        var services: [any Service] = [
            ShutdownNotice(notifier: notifier, logger: logger), TransportService(transport: transport, listener: listener),
        ]
        services += subsystems.flatMap(\.services)
        services.append(
            AdminHTTPServer(
                responder: AdminResponder(
                    routes: AdminRouter.make(state: state), limits: .adminSocket, metrics: metrics, listener: "admin"),
                address: .unixDomainSocket(path: socketPath),
                onServerRunning: { await readiness.bound("admin") }, logger: quiet(logger)))
        if let address = configuration.metricsAddress {
            // Metrics only: the admin socket is the only door that changes anything.
            services.append(
                AdminHTTPServer(
                    responder: AdminResponder(
                        routes: AdminRouter.makeMetricsOnly(state: state), limits: .metricsPort, metrics: metrics,
                        listener: "metrics"),
                    address: .hostname(address.host, port: address.port),
                    onServerRunning: { await readiness.bound("metrics") }, logger: quiet(logger)))
        }
        // Named by type: the default name is `"\(service)"`, a reflection of each service's whole
        // object graph that cost a third of the agent's start-up CPU (perf). `_typeName` reads the
        // name from the type's metadata; `String(describing:)` of the type first asks the runtime
        // for several protocol conformances, each a scan of every conformance record in the
        // binary (5 % of start-up CPU, perf).
        var configured = services.map {
            ServiceGroupConfiguration.ServiceConfiguration(service: $0, serviceName: _typeName(type(of: $0), qualified: false))
        }
        configured.append(
            .init(
                service: ShutdownRequest(requests: shutdownRequests),
                successTerminationBehavior: .gracefullyShutdownGroup, serviceName: "ShutdownRequest"))
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: configured,
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: quiet(logger)))
        do {
            try await group.run()
        } catch {
            throw AgentError.bindFailed(
                what: "a listener", address: configuration.metricsAddress?.description ?? socketPath,
                reason: String(describing: error))
        }
        logger.info("stopped")
    }

    /// Binds gossip UDP, then the transport's TCP listener on the same port. With port 0 the
    /// kernel picks a UDP port whose TCP twin may be taken (by any outbound connection's
    /// ephemeral port), so a few fresh picks are tried before giving up.
    static func bindGossip(_ address: HostPort) async throws(AgentError)
        -> (GossipSockets, NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>)
    {
        var attempt = 0
        while true {
            attempt += 1
            let sockets = try await GossipSockets.bind(address)
            do {
                return (sockets, try await TCPListener.bind(host: address.host, port: sockets.port))
            } catch {
                try? await sockets.udp.close()
                if address.port == 0, attempt < 16 { continue }
                throw AgentError.bindFailed(
                    what: "gossip (TCP)", address: "\(address.host):\(sockets.port)",
                    reason: "\(AdminClient.reason(error)) (is another shoal agent running? set --bind)")
            }
        }
    }

    /// The gossip address other members reach: `advertise`, else the bind address, else
    /// (binding 0.0.0.0) this host's first non-loopback IPv4 address (`interfaceAddress`);
    /// always the bound port when the configured port is 0. With a warning when it had to fall
    /// back to loopback, which no other machine can reach.
    static func advertiseAddress(
        configuration: AgentConfiguration, boundPort: Int, interfaceAddress: () -> String? = POSIX.firstNonLoopbackIPv4
    ) -> (address: HostPort, warning: String?) {
        if let advertise = configuration.advertise {
            return (HostPort(host: advertise.host, port: advertise.port == 0 ? boundPort : advertise.port), nil)
        }
        if !configuration.bind.isUnspecified { return (HostPort(host: configuration.bind.host, port: boundPort), nil) }
        if let host = interfaceAddress() { return (HostPort(host: host, port: boundPort), nil) }
        return (
            HostPort(host: "127.0.0.1", port: boundPort),
            "this host has no network interface but loopback that is up: advertising 127.0.0.1, which only agents on this machine can reach (set --advertise or `advertise:` to the address other machines use)"
        )
    }

    /// Library loggers (Hummingbird, ServiceLifecycle) only speak up on warnings.
    private func quiet(_ logger: Logger) -> Logger {
        var copy = logger
        copy.logLevel = max(logger.logLevel, .warning)
        return copy
    }
}
