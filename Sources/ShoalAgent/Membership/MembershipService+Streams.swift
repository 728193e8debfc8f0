import Logging
import NIOCore
import NIOPosix
import ShoalCrypto
import ShoalMembership
import ShoalWire

extension MembershipService {
    /// How long a push-pull or fallback ping may take end to end.
    static let streamTimeout = Duration.seconds(5)

    func perform(_ job: StreamJob) async {
        switch job {
        case .pushPull(let state, let address):
            _ = await pushPull(state, to: address)
        case .streamPing(let target, let seq, let address):
            let ok = await streamPing(target: target, seq: seq, to: address)
            await apply(core.streamPingResult(target: target, seq: seq, succeeded: ok, now: now))
        }
    }

    /// Sends our state and merges the reply; returns whether the peer answered.
    func pushPull(_ state: PushPullState, to address: MemberAddress) async -> Bool {
        var message = Shoal_Wire_V1_StreamMessage()
        message.pushPull = WireMapping.encode(state, isReply: false)
        guard let reply = await exchange(message, with: address), case .pushPull(let theirs)? = reply.kind else {
            return false
        }
        await merge(theirs, from: address, isReply: true)
        return true
    }

    func streamPing(target: NodeID, seq: UInt64, to address: MemberAddress) async -> Bool {
        var message = Shoal_Wire_V1_StreamMessage()
        message.streamPing.seq = seq
        message.streamPing.target = .init(target.bytes)
        guard let reply = await exchange(message, with: address), case .ack(let ack)? = reply.kind else { return false }
        return ack.seq == seq && Array(ack.from) == target.bytes
    }

    /// Connects, handshakes, sends one message and reads one answer.
    private func exchange(_ message: Shoal_Wire_V1_StreamMessage, with address: MemberAddress) async
        -> Shoal_Wire_V1_StreamMessage?
    {
        let key = credentials.key
        let cluster = credentials.clusterID
        let handshakeCounter = counter.take()
        do {
            return try await withTimeout(Self.streamTimeout, clock: clock) {
                let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                    .connectTimeout(.seconds(2))
                    .connect(host: address.host, port: Int(address.port)) { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                        }
                    }
                return try await channel.executeThenClose { inbound, outbound in
                    var stream = StreamChannel(inbound: inbound.makeAsyncIterator(), outbound: outbound)
                    try await stream.handshake(key: key, cluster: cluster, counter: handshakeCounter, isInitiator: true)
                    try await stream.send(message)
                    return try await stream.receive()
                }
            }
        } catch {
            logger.debug("stream to \(address) failed: \(error)")
            return nil
        }
    }

    /// Answers one inbound stream: a push-pull (merge and reply) or a fallback ping.
    func serve(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>) async {
        let key = credentials.key
        let cluster = credentials.clusterID
        let handshakeCounter = counter.take()
        let remote = connection.channel.remoteAddress?.memberAddress
        do {
            try await withTimeout(Self.streamTimeout, clock: clock) {
                try await connection.executeThenClose { inbound, outbound in
                    var stream = StreamChannel(inbound: inbound.makeAsyncIterator(), outbound: outbound)
                    try await stream.handshake(key: key, cluster: cluster, counter: handshakeCounter, isInitiator: false)
                    let request = try await stream.receive()
                    guard let reply = await self.answer(request, from: remote) else { return }
                    try await stream.send(reply)
                }
            }
        } catch {
            metrics.countDropped(reason: "stream_failed")
            logger.debug("inbound stream failed: \(error)")
        }
    }

    private func answer(_ request: Shoal_Wire_V1_StreamMessage, from remote: MemberAddress?) async
        -> Shoal_Wire_V1_StreamMessage?
    {
        switch request.kind {
        case .pushPull(let theirs):
            guard let remote else { return nil }
            guard let state = await merge(theirs, from: remote, isReply: false) else { return nil }
            var reply = Shoal_Wire_V1_StreamMessage()
            reply.pushPull = WireMapping.encode(state, isReply: true)
            return reply
        case .streamPing(let ping):
            guard Array(ping.target) == core.myself.bytes else { return nil }
            var reply = Shoal_Wire_V1_StreamMessage()
            reply.ack.seq = ping.seq
            reply.ack.from = .init(core.myself.bytes)
            return reply
        case .ack, nil:
            return nil
        }
    }

    /// Checks and merges a peer's push-pull; returns our reply state when one is owed.
    @discardableResult
    func merge(_ message: Shoal_Wire_V1_PushPull, from remote: MemberAddress, isReply: Bool) async -> PushPullState? {
        let state: PushPullState
        do {
            state = try WireMapping.decode(message)
        } catch {
            metrics.countDropped(reason: error.reason)
            return nil
        }
        guard let admitted = gate.filter(state, now: unixSeconds) else {
            metrics.countDropped(reason: "uncertified_sender")
            logger.warning("refused push-pull from a node without a valid certificate", metadata: ["from": "\(remote)"])
            return nil
        }
        var reply: PushPullState?
        var rest: [MembershipEffect] = []
        for effect in core.receivePushPull(admitted, from: remote, isReply: isReply, now: now) {
            if case .pushPullReply(let state, _) = effect { reply = state } else { rest.append(effect) }
        }
        await apply(rest)
        return reply
    }
}
