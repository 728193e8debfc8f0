public import Logging
public import NIOCore
import NIOPosix
public import ShoalCrypto
import Synchronization

/// The one authenticated stream layer every subsystem talks to peers through (DESIGN
/// "Identity and trust", Streams): it owns the agent's TCP listener, runs the handshake
/// (`TransportHandshake`) on every connection, dispatches inbound connections to the handler
/// registered for the protocol the peer named, and pools outbound connections per address and
/// protocol. Strangers are refused before they learn anything, and counted by reason.
///
/// Every connection lives in a child task of `run`, so shutting the transport down closes them
/// all. The clock is a parameter: limits, handshake deadlines and the idle sweep run on it.
public final class Transport: Sendable {
    /// Serves one inbound connection until it returns; the transport then closes it.
    public typealias Handler = @Sendable (PeerConnection) async -> Void

    public let identity: TransportIdentity
    public let configuration: TransportConfiguration
    let clock: any Clock<Duration>
    let logger: Logger
    let metrics: TransportMetrics
    let dialer: any Dialer
    /// Unix seconds, for certificate expiry.
    let wallClock: @Sendable () -> UInt64
    let makeKeyPair: @Sendable () -> X25519KeyPair
    /// Noise's static key: random per process; the node key signs it into each handshake.
    let noiseStatic: X25519KeyPair
    let state = Mutex(TransportState())
    let jobs: AsyncStream<Job>.Continuation
    private let jobStream: AsyncStream<Job>

    enum Job: Sendable {
        case inbound(any Link)
        case inboundTCP(NIOAsyncChannel<ByteBuffer, ByteBuffer>)
        case outbound(OutboundRequest)
    }

    public init(
        identity: TransportIdentity, configuration: TransportConfiguration = TransportConfiguration(),
        clock: any Clock<Duration>, wallClock: @escaping @Sendable () -> UInt64, dialer: any Dialer = TCPDialer(),
        metrics: TransportMetrics, logger: Logger, makeKeyPair: @escaping @Sendable () -> X25519KeyPair = { .generate() }
    ) {
        self.identity = identity
        self.configuration = configuration
        self.clock = clock
        self.wallClock = wallClock
        self.dialer = dialer
        self.metrics = metrics
        self.logger = logger
        self.makeKeyPair = makeKeyPair
        noiseStatic = makeKeyPair()
        (jobStream, jobs) = AsyncStream.makeStream(of: Job.self)
    }

    /// Routes inbound connections that ask for `name` to `handler`. Register before `run`.
    public func register(_ name: ProtocolName, handler: @escaping Handler) {
        state.withLock { $0.handlers[name] = handler }
    }

    /// Hands the transport an inbound link (the listener does this for every TCP connection;
    /// tests do it with a `MemoryLink`).
    public func accept(_ link: any Link) {
        if !admitAndQueue(.inbound(link)) { link.close() }
    }

    /// Admits a connection just accepted (`admitInbound`) and queues it to be served; false if
    /// it was refused or the transport is stopping, and the caller closes it.
    private func admitAndQueue(_ job: Job) -> Bool {
        guard admitInbound() else { return false }
        guard case .terminated = jobs.yield(job) else { return true }
        releaseInbound()
        return false
    }

    /// Runs until cancelled or `shutdown()`: serves `listener`'s connections, dials, and sweeps
    /// idle connections. Returns once every connection has closed.
    public func run(listener: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>? = nil) async {
        await withDiscardingTaskGroup { group in
            if let listener {
                group.addTask {
                    try? await listener.executeThenClose { inbound in
                        for try await child in inbound where !self.admitAndQueue(.inboundTCP(child)) {
                            // Closed through the channel's own path: dropping it unfinished traps.
                            try? await child.executeThenClose { _, _ in }
                        }
                    }
                }
            }
            group.addTask { await self.sweep() }
            for await job in jobStream {
                switch job {
                case .inbound(let link): group.addTask { await self.serveInbound(link) }
                case .inboundTCP(let channel):
                    group.addTask {
                        try? await channel.executeThenClose { inbound, outbound in
                            await self.serveInbound(NIOLink(channel: channel.channel, inbound: inbound, outbound: outbound))
                        }
                    }
                case .outbound(let request): group.addTask { await self.runOutbound(request) }
                }
            }
            group.cancelAll()
        }
    }

    /// Stops accepting and dialling and closes every connection; `run` then returns.
    public func shutdown() {
        let open = state.withLock { state -> [PeerConnection] in
            state.shuttingDown = true
            return Array(state.live.values.map(\.connection))
        }
        jobs.finish()
        for connection in open { connection.close() }
    }

    /// Whether both ends of a handshake with this node may use AES-GCM.
    var hardwareAES: Bool { BulkCipher.hasHardwareAES }
}
