import Logging
public import ShoalCrypto
import Synchronization

/// A request to dial, answered through its ticket once the handshake has finished or failed.
struct OutboundRequest: Sendable {
    let host: String
    let port: Int
    let protocolName: ProtocolName
    let expecting: PublicKey?
    let key: PoolKey
    let ticket: DialTicket
}

/// Joins a dial, which runs in the transport's own task, to the task that asked for it: the
/// answer is given once, and when the asking task is cancelled the dial's link is closed at
/// once (a caller that gave up does not keep a connection to a silent peer open).
final class DialTicket: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Result<PeerConnection, TransportError>, Never>?
        var answered = false
        /// The answer given before the caller started waiting, kept for `wait`.
        var early: Result<PeerConnection, TransportError>?
        var link: (any Link)?
    }

    private let state = Mutex(State())

    /// Waits for the answer; one given before this call (a dial that finished first, or a
    /// cancellation) is delivered at once.
    func wait(_ continuation: CheckedContinuation<Result<PeerConnection, TransportError>, Never>) {
        let early = state.withLock { state -> Result<PeerConnection, TransportError>? in
            guard state.answered else {
                state.continuation = continuation
                return nil
            }
            defer { state.early = nil }
            return state.early ?? .failure(.cancelled)
        }
        if let early { continuation.resume(returning: early) }
    }

    /// Answers the caller; false when it had already been answered (cancelled), so the caller
    /// of this method must close what it would have handed over.
    @discardableResult
    func answer(_ result: Result<PeerConnection, TransportError>) -> Bool {
        let continuation = state.withLock { state -> CheckedContinuation<Result<PeerConnection, TransportError>, Never>?? in
            guard !state.answered else { return nil }
            state.answered = true
            defer { state.continuation = nil }
            if state.continuation == nil { state.early = result }
            return .some(state.continuation)
        }
        guard let continuation else { return false }
        continuation?.resume(returning: result)
        return true
    }

    /// Remembers the dial's link so a cancellation can close it; false if already cancelled.
    func attach(_ link: any Link) -> Bool {
        state.withLock { state in
            guard !state.answered else { return false }
            state.link = link
            return true
        }
    }

    func cancel() {
        let link = state.withLock { $0.link }
        if answer(.failure(.cancelled)) { link?.close() }
    }
}

extension Transport {
    /// Runs `body` on a pooled connection to `host:port` for `protocolName`: an idle one if the
    /// pool has one, else a new one (at most `maximumConnectionsPerPeer` per address and
    /// protocol). The connection goes back to the pool when `body` returns, and is closed
    /// when it throws. `expecting` refuses a peer other than that node.
    public func withConnection<T: Sendable>(
        to host: String, port: Int, protocol protocolName: ProtocolName, expecting: PublicKey? = nil,
        _ body: (PeerConnection) async throws -> T
    ) async throws -> T {
        let key = PoolKey(address: "\(host):\(port)", protocolName: protocolName)
        let connection = try await acquire(key: key, host: host, port: port, expecting: expecting)
        do {
            let result = try await body(connection)
            release(connection, key: key)
            return result
        } catch {
            connection.close()
            throw error
        }
    }

    /// A new connection of its own (not pooled); the caller closes it.
    public func connect(
        to host: String, port: Int, protocol protocolName: ProtocolName, expecting: PublicKey? = nil
    ) async throws(TransportError) -> PeerConnection {
        let key = PoolKey(address: "\(host):\(port)", protocolName: protocolName)
        try reserve(key)
        return try await dial(host: host, port: port, key: key, expecting: expecting)
    }

    private func acquire(key: PoolKey, host: String, port: Int, expecting: PublicKey?) async throws(TransportError) -> PeerConnection {
        let now = wallClock()
        let pooled = state.withLock { state -> PeerConnection? in
            while var list = state.idle[key], let candidate = list.popLast() {
                state.idle[key] = list.isEmpty ? nil : list
                let usable = candidate.isOpen && candidate.peer.certificateExpiresAt > now
                    && (expecting == nil || expecting == candidate.peer.key)
                if usable { return candidate }
                candidate.close()
            }
            return nil
        }
        if let pooled { return pooled }
        try reserve(key)
        return try await dial(host: host, port: port, key: key, expecting: expecting)
    }

    private func reserve(_ key: PoolKey) throws(TransportError) {
        let refusal = state.withLock { state -> TransportError? in
            if state.shuttingDown { return .shuttingDown }
            if state.connectionCount >= configuration.maximumConnections {
                return .connectionLimit("\(configuration.maximumConnections) connections open")
            }
            if state.outbound[key, default: 0] >= configuration.maximumConnectionsPerPeer {
                return .connectionLimit("\(configuration.maximumConnectionsPerPeer) connections to \(key.address) for \(key.protocolName)")
            }
            state.outbound[key, default: 0] += 1
            state.connectionCount += 1
            return nil
        }
        if let refusal {
            metrics.refused(refusal.reason)
            throw refusal
        }
    }

    private func dial(host: String, port: Int, key: PoolKey, expecting: PublicKey?) async throws(TransportError) -> PeerConnection {
        let ticket = DialTicket()
        let request = OutboundRequest(host: host, port: port, protocolName: key.protocolName, expecting: expecting, key: key, ticket: ticket)
        if case .terminated = jobs.yield(.outbound(request)) {
            unreserve(key)
            throw .shuttingDown
        }
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in ticket.wait(continuation) }
        } onCancel: {
            ticket.cancel()
        }
        return try result.get()
    }

    private func release(_ connection: PeerConnection, key: PoolKey) {
        guard connection.isOpen else { return }
        let kept = state.withLock { state -> Bool in
            guard !state.shuttingDown else { return false }
            state.idle[key, default: []].append(connection)
            return true
        }
        if !kept { connection.close() }
    }

    private func unreserve(_ key: PoolKey) {
        state.withLock { state in
            state.outbound[key, default: 1] -= 1
            if state.outbound[key] == 0 { state.outbound[key] = nil }
            state.connectionCount -= 1
        }
    }

    /// Dials, handshakes and hands the connection over; keeps its link open until it closes.
    func runOutbound(_ request: OutboundRequest) async {
        defer {
            unreserve(request.key)
            request.ticket.answer(.failure(.shuttingDown))
        }
        let handshake = TransportHandshake(
            initiating: request.protocolName, expecting: request.expecting, identity: identity, now: wallClock(),
            hardwareAES: hardwareAES, staticKey: noiseStatic, ephemeralKey: makeKeyPair())
        do {
            try await dialer.dial(host: request.host, port: request.port, timeout: configuration.connectTimeout) { (link: any Link) async -> Void in
                guard request.ticket.attach(link) else {
                    link.close()
                    return
                }
                let connection: PeerConnection
                do throws(TransportError) {
                    connection = try await self.withDeadline(self.configuration.handshakeTimeout, what: "handshake") { () async throws(TransportError) -> PeerConnection in
                        try await PeerConnection.establish(
                            over: link, handshake: handshake, maximumFrame: self.configuration.maximumFrameBytes)
                    }
                } catch {
                    link.close()
                    self.metrics.refused(error.reason)
                    request.ticket.answer(.failure(error))
                    return
                }
                self.state.withLock { $0.live[ObjectIdentifier(connection)] = .init(connection: connection, lastActivity: connection.activity) }
                self.metrics.established(inbound: false, cipher: connection.session.cipher)
                if !request.ticket.answer(.success(connection)) { connection.close() }
                await connection.waitUntilClosed()
                self.state.withLock { state in
                    state.live[ObjectIdentifier(connection)] = nil
                    if var list = state.idle[request.key] {
                        list.removeAll { $0 === connection }
                        state.idle[request.key] = list.isEmpty ? nil : list
                    }
                }
            }
        } catch {
            let failure = error as? TransportError ?? .connectFailed(address: request.key.address, reason: "\(error)")
            metrics.refused(failure.reason)
            request.ticket.answer(.failure(failure))
        }
    }
}
