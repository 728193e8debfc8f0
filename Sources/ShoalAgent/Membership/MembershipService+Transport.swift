#if canImport(Glibc)
import Glibc
#endif
import Logging
import NIOCore
import NIOPosix
import ShoalCrypto
import ShoalMembership
import ShoalWire

/// Outbound stream work the core asked for, run concurrently with everything else.
enum StreamJob: Sendable {
    case pushPull(PushPullState, to: MemberAddress)
    case streamPing(target: NodeID, seq: UInt64, to: MemberAddress)
}

/// Hands received datagrams to the service's stream without blocking the event loop.
final class DatagramReceiver: ChannelInboundHandler, Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    let continuation: AsyncStream<AddressedEnvelope<ByteBuffer>>.Continuation

    init(continuation: AsyncStream<AddressedEnvelope<ByteBuffer>>.Continuation) { self.continuation = continuation }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        continuation.yield(unwrapInboundIn(data))
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // ICMP errors surface here on Linux; a datagram socket stays usable, so keep reading.
    }
}

/// The gossip UDP socket, bound before the service starts so that a port of 0 (tests, dev
/// mode) is resolved to the real one before the node advertises itself. (The TCP listener on
/// the same port is the transport's.)
struct GossipSockets: Sendable {
    let udp: GossipUDP
    let datagrams: AsyncStream<AddressedEnvelope<ByteBuffer>>
    let continuation: AsyncStream<AddressedEnvelope<ByteBuffer>>.Continuation

    /// Binds (or, should NIO ever close it, binds again) the UDP socket.
    ///
    /// Without SO_REUSEADDR: with it, any local user could bind the same address and port
    /// (setting the option too) and be handed most datagrams meant for the agent. A UDP port
    /// has no TIME_WAIT, so binding again after a close needs no such option.
    static func bindUDP(
        _ address: HostPort, continuation: AsyncStream<AddressedEnvelope<ByteBuffer>>.Continuation
    ) async throws(AgentError) -> GossipUDP {
        func failure(_ reason: String) -> AgentError {
            .bindFailed(
                what: "gossip (UDP)", address: address.description,
                reason: "\(reason) (is another shoal agent running? set --bind)")
        }
        let socketAddress: SocketAddress
        do {
            socketAddress = try SocketAddress(ipAddress: address.host, port: Int(address.port))
        } catch {
            throw failure(AdminClient.reason(error))
        }
        let family = socketAddress.protocol == .inet6 ? AF_INET6 : AF_INET
        let descriptor = socket(family, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw failure(String(cString: strerror(errno))) }
        let bound = socketAddress.withSockAddr { pointer, length in Glibc.bind(descriptor, pointer, socklen_t(length)) }
        guard bound == 0 else {
            let reason = String(cString: strerror(errno))
            _ = Glibc.close(descriptor)
            throw failure(reason)
        }
        let duplicate = fcntl(descriptor, F_DUPFD_CLOEXEC, 0)
        guard duplicate >= 0 else {
            let reason = String(cString: strerror(errno))
            _ = Glibc.close(descriptor)
            throw failure(reason)
        }
        let sender = DatagramSender(descriptor: duplicate)
        do {
            // NIO owns `descriptor` from here, and closes it even if this fails.
            let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelOption(.socketOption(.so_rcvbuf), value: 4 << 20)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(DatagramReceiver(continuation: continuation))
                    }
                }
                .withBoundSocket(descriptor).get()
            return GossipUDP(channel: channel, sender: sender)
        } catch {
            sender.close()
            throw failure(AdminClient.reason(error))
        }
    }

    /// The port both sockets listen on.
    var port: Int { udp.localAddress?.port ?? 0 }

    /// Binds UDP on `address`.
    static func bind(_ address: HostPort) async throws(AgentError) -> GossipSockets {
        let (datagrams, continuation) = AsyncStream.makeStream(
            of: AddressedEnvelope<ByteBuffer>.self, bufferingPolicy: .bufferingNewest(4_096))
        let udp = try await bindUDP(address, continuation: continuation)
        return GossipSockets(udp: udp, datagrams: datagrams, continuation: continuation)
    }
}

extension MembershipService {
    /// Checks, decodes and hands one datagram to the core; anything wrong is dropped and counted.
    ///
    /// The payload is decoded before the signature is checked, so that a datagram the core
    /// calls redundant (gossip this node already has, most of what SWIM's redundancy delivers
    /// in a join) is dropped without the check: nothing of it is applied, answered or counted
    /// against its sender, and its counter moves no replay window. Every other datagram is
    /// verified before anything else, and one that does not decode is still reported as a bad
    /// signature when its signature is bad.
    func receive(_ datagram: AddressedEnvelope<ByteBuffer>) async {
        metrics.countDatagram(received: datagram.data.readableBytes)
        let unverified: Envelope.Unverified
        do {
            unverified = try datagram.data.withUnsafeReadableBytes { raw in
                Result { () throws(WireError) -> Envelope.Unverified in
                    try Envelope.parse(raw, expecting: credentials.clusterID, receiver: credentials.nodeID)
                }
            }.get()
        } catch {
            metrics.countDropped(reason: error.reason)
            return
        }
        let decoding: Result<Datagram, WireError> = Result { () throws(WireError) -> Datagram in
            try WireMapping.decode(
                PayloadCodec.decode(Shoal_Wire_V1_Datagram.self, from: unverified.claimed.payload),
                authority: credentials.authority.bytes)
        }
        if case .success(let gossip) = decoding, core.isRedundant(gossip) {
            metrics.countRedundant()
            return
        }
        let envelope: Envelope
        do {
            envelope = try unverified.verified()
        } catch {
            metrics.countDropped(reason: error.reason)
            return
        }
        let sender = NodeID(bytes: envelope.sender.bytes)
        // Replay windows are kept for certified senders only, so strangers cannot grow the
        // table; a stranger's datagram yields nothing but statements, which are idempotent.
        let unix = unixSeconds
        let certifiedSender = gate.isCertified(sender, now: unix)
        if certifiedSender, !replay[envelope.sender, default: ReplayWindow()].accept(envelope.counter) {
            metrics.countDropped(reason: "replayed")
            return
        }
        let decoded: Datagram
        do {
            decoded = try decoding.get()
        } catch {
            metrics.countDropped(reason: error.reason)
            return
        }
        let admitted = gate.filter(decoded, from: sender, now: unix)
        if admitted.refusedStatements > 0 { metrics.countDropped(reason: "uncertified_statement", by: admitted.refusedStatements) }
        if admitted.refusedMessages > 0 { metrics.countDropped(reason: "uncertified_sender", by: admitted.refusedMessages) }
        if admitted.impersonations > 0 { metrics.countDropped(reason: "sender_mismatch", by: admitted.impersonations) }
        if !certifiedSender, gate.isCertified(sender, now: unix) {
            // Introduced by its own alive statement: start its replay window here.
            _ = replay[envelope.sender, default: ReplayWindow()].accept(envelope.counter)
        }
        guard !admitted.datagram.messages.isEmpty, let from = datagram.remoteAddress.memberAddress else { return }
        let before = core.counters.rejectedStatements
        let effects = core.receive(admitted.datagram, from: from, now: now)
        let rejected = core.counters.rejectedStatements - before
        if rejected > 0 { metrics.countDropped(reason: "bad_statement_signature", by: rejected) }
        await apply(effects)
    }

    /// Seals one datagram for `receiver` and sends it to `address`; a local send error counts
    /// against our own health.
    func send(_ datagram: Datagram, to address: MemberAddress, receiver: NodeID) async {
        guard let receiverKey = try? PublicKey(bytes: receiver.bytes) else {
            metrics.countDropped(reason: "bad_receiver")
            return
        }
        let payload = PayloadCodec.encode(WireMapping.encode(datagram, authority: credentials.authority.bytes))
        let bytes: [UInt8]
        do {
            bytes = try Envelope.seal(
                payload: payload, clusterID: credentials.clusterID, counter: counter.take(), key: credentials.key,
                receiver: receiverKey)
        } catch {
            logger.error("datagram too large for the wire", metadata: ["bytes": "\(payload.count)"])
            return
        }
        let remote: SocketAddress
        if let known = socketAddresses[address] {
            remote = known
        } else {
            do {
                remote = try SocketAddress(ipAddress: address.host, port: Int(address.port))
            } catch {
                metrics.countDropped(reason: "bad_address")
                return
            }
            // Bounded by the members ever known; parsing the text on every datagram is waste.
            socketAddresses[address] = remote
        }
        switch udp.sender.send(bytes, to: remote) {
        case .sent:
            metrics.countDatagram(sent: bytes.count)
        case .bufferFull:
            metrics.countDropped(reason: "send_buffer_full")
        case .refused:
            metrics.countSendFailure()
            await apply(core.sendFailed(to: address, localError: true, now: now))
        }
    }

    /// The agent writes datagrams itself (`GossipUDP`), so a send error no longer closes the
    /// socket; should NIO close its channel anyway (a read error it deems fatal), sends would
    /// still succeed on the sender's descriptor while nothing is read, so the tick loop checks
    /// the channel, and the agent binds the same address again, at most once a second.
    func reopenUDPIfClosed() async {
        guard !udp.isActive, !stopping else { return }
        if let last = lastReopen, now - last < .seconds(1) { return }
        lastReopen = now
        do {
            try? await udp.close()
            udp = try await GossipSockets.bindUDP(settings.bind, continuation: sockets.continuation)
            metrics.countSocketReopen()
            logger.notice("gossip socket reopened", metadata: ["bind": "\(settings.bind)"])
        } catch {
            logger.warning("\(error)")
        }
    }
}

extension SocketAddress {
    var memberAddress: MemberAddress? {
        guard let ip = ipAddress, let port else { return nil }
        return MemberAddress(host: ip, port: UInt16(port))
    }
}
