import Logging
import ShoalCrypto
import ShoalMembership
import ShoalTransport
import ShoalWire
import Synchronization

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

    /// Sends our state and merges the reply; returns whether the peer answered. The reply must
    /// be signed by the node the handshake authenticated: a stream carries only its peer's word.
    func pushPull(_ state: PushPullState, to address: MemberAddress) async -> Bool {
        var message = Shoal_Wire_V1_StreamMessage()
        message.pushPull = WireMapping.encode(state, isReply: false)
        guard let (reply, peer) = await exchange(message, with: address, expecting: nil),
            case .pushPull(let theirs)? = reply.kind,
            let checked = checkedPushPull(theirs, from: peer)
        else { return false }
        await apply(core.receivePushPullReply(admit(checked, from: address), from: address, now: now))
        return true
    }

    func streamPing(target: NodeID, seq: UInt64, to address: MemberAddress) async -> Bool {
        var message = Shoal_Wire_V1_StreamMessage()
        message.streamPing.seq = seq
        message.streamPing.target = .init(target.bytes)
        let expected = try? PublicKey(bytes: target.bytes)
        guard let (reply, _) = await exchange(message, with: address, expecting: expected), case .ack(let ack)? = reply.kind
        else { return false }
        return ack.seq == seq && Array(ack.from) == target.bytes
    }

    /// Sends one message on a pooled `membership/1` connection and reads one answer.
    private nonisolated func exchange(
        _ message: Shoal_Wire_V1_StreamMessage, with address: MemberAddress, expecting: PublicKey?
    ) async -> (Shoal_Wire_V1_StreamMessage, PeerIdentity)? {
        let transport = self.transport
        do {
            return try await withTimeout(Self.streamTimeout, clock: clock.clock) {
                try await transport.withConnection(
                    to: address.host, port: Int(address.port), protocol: .membership, expecting: expecting
                ) { connection in
                    try await connection.send(message)
                    let (reply, _) = try await connection.receive(Shoal_Wire_V1_StreamMessage.self)
                    return (reply, connection.peer)
                }
            }
        } catch {
            logger.debug("stream to \(address) failed: \(error)")
            return nil
        }
    }

    /// Serves one inbound `membership/1` connection: push-pulls and fallback pings, one after
    /// another, until the peer closes it. Decoding and certificate checks run here, in the
    /// connection's task, not on the actor that answers probes.
    nonisolated func serve(_ connection: PeerConnection) async {
        let remote = connection.remoteAddress.flatMap(MemberAddress.init(parsing:))
        while let (request, _) = try? await connection.receive(Shoal_Wire_V1_StreamMessage.self) {
            switch request.kind {
            case .pushPull(let theirs):
                guard streamLimits.admit(connection.peer.key, at: clock.elapsed()) else {
                    metrics.countDropped(reason: "stream_rate_limited")
                    await connection.goodbye("too many push-pulls; slow down")
                    return
                }
                guard let remote, let checked = checkedPushPull(theirs, from: connection.peer),
                    let state = await answer(checked, from: remote)
                else { return }
                var reply = Shoal_Wire_V1_StreamMessage()
                reply.pushPull = WireMapping.encode(state, isReply: true)
                do { try await connection.send(reply) } catch { return }
            case .streamPing(let ping):
                guard Array(ping.target) == credentials.nodeID.bytes else { return }
                var reply = Shoal_Wire_V1_StreamMessage()
                reply.ack.seq = ping.seq
                reply.ack.from = .init(credentials.nodeID.bytes)
                do { try await connection.send(reply) } catch { return }
            case .ack, nil:
                return
            }
        }
    }

    /// Decodes a push-pull and keeps it only if its sender is the authenticated peer; entries
    /// whose certificates do not verify are dropped here, off the actor.
    nonisolated func checkedPushPull(_ message: Shoal_Wire_V1_PushPull, from peer: PeerIdentity) -> PushPullState? {
        let state: PushPullState
        do {
            state = try WireMapping.decode(message)
        } catch {
            metrics.countDropped(reason: error.reason)
            return nil
        }
        guard state.sender.subject.bytes == peer.key.bytes else {
            metrics.countDropped(reason: "push_pull_not_from_peer")
            logger.warning("refused a push-pull signed for another node than the stream's peer", metadata: ["peer": "\(peer)"])
            return nil
        }
        return certificates.prefilter(state, now: clock.unixSeconds)
    }

    /// Merges a peer's push-pull request and returns our reply.
    private func answer(_ state: PushPullState, from remote: MemberAddress) async -> PushPullState? {
        guard let answer = core.answerPushPull(admit(state, from: remote), from: remote, now: now) else { return nil }
        await apply(answer.effects)
        return answer.reply
    }

    /// The certificate gate's verdict on an authenticated peer's push-pull.
    private func admit(_ state: PushPullState, from remote: MemberAddress) -> PushPullState {
        guard let admitted = gate.filter(state, now: unixSeconds) else {
            metrics.countDropped(reason: "uncertified_sender")
            logger.warning("refused push-pull from a node without a valid certificate", metadata: ["from": "\(remote)"])
            return PushPullState(sender: state.sender, entries: [], isJoin: state.isJoin)
        }
        if admitted.refusedAccusations > 0 {
            metrics.countDropped(reason: "uncertified_accuser", by: admitted.refusedAccusations)
        }
        return admitted.state
    }
}

/// Bounds how many push-pulls one certified peer may ask for: a burst, refilled over a window
/// (each member normally asks once a push-pull period, 30 s or more).
final class StreamRateLimit: Sendable {
    static let burst = 8
    static let window = Duration.seconds(10)
    private let state = Mutex<(windowStart: Duration, counts: [[UInt8]: Int])>((.zero, [:]))

    func admit(_ peer: PublicKey, at now: Duration) -> Bool {
        state.withLock { state in
            if now - state.windowStart >= Self.window { state = (now, [:]) }
            let count = state.counts[peer.bytes, default: 0]
            guard count < Self.burst else { return false }
            state.counts[peer.bytes] = count + 1
            return true
        }
    }
}

extension MemberAddress {
    /// Parses `ip:port` or `[v6]:port` as a transport reports it.
    init?(parsing text: String) {
        guard let parsed = HostPort(parsing: text), let port = UInt16(exactly: parsed.port) else { return nil }
        self.init(host: parsed.host, port: port)
    }
}
