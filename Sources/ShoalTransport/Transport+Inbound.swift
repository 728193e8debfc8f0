import Logging
import NIOCore

extension Transport {
    /// Reserves a slot for a connection just accepted, or counts why it is refused; called
    /// before anything is read or queued, so a refused connection costs its file descriptor for
    /// no longer than the accept.
    func admitInbound() -> Bool {
        let refusal = state.withLock { state -> String? in
            if state.shuttingDown { return "shutting_down" }
            if state.connectionCount >= configuration.maximumConnections { return "connection_limit" }
            if state.pendingHandshakes >= configuration.maximumPendingHandshakes { return "handshake_limit" }
            if state.handshakesThisSecond >= configuration.maximumHandshakesPerSecond { return "rate_limited" }
            state.pendingHandshakes += 1
            state.handshakesThisSecond += 1
            state.connectionCount += 1
            return nil
        }
        if let refusal { metrics.refused(refusal) }
        return refusal == nil
    }

    /// Gives back the slot `admitInbound` reserved for a connection that was never served.
    func releaseInbound() {
        state.withLock { state in
            state.connectionCount -= 1
            state.pendingHandshakes -= 1
        }
    }

    /// Authenticates and dispatches one admitted inbound link (`admitInbound`); closes it when
    /// its handler returns.
    func serveInbound(_ link: any Link) async {
        var handshakePending = true
        defer {
            if handshakePending {
                releaseInbound()
            } else {
                state.withLock { $0.connectionCount -= 1 }
            }
        }
        let protocols = state.withLock { Set($0.handlers.keys) }
        let handshake = TransportHandshake(
            accepting: protocols, identity: identity, now: wallClock(), hardwareAES: hardwareAES,
            staticKey: noiseStatic, ephemeralKey: makeKeyPair())
        let connection: PeerConnection
        do {
            connection = try await withDeadline(configuration.handshakeTimeout, what: "handshake") { () async throws(TransportError) -> PeerConnection in
                try await PeerConnection.establish(over: link, handshake: handshake, maximumFrame: self.configuration.maximumFrameBytes)
            }
        } catch {
            metrics.refused(error.reason)
            link.close()
            logger.debug("inbound handshake refused", metadata: ["from": "\(link.remoteAddress ?? "?")", "error": "\(error)"])
            return
        }
        handshakePending = false
        let peerKey = TransportState.InboundKey(peer: connection.peer.key.bytes, protocolName: connection.session.protocolName)
        let (handler, overPeerLimit) = state.withLock { state -> (Handler?, Bool) in
            state.pendingHandshakes -= 1
            let count = state.inboundPerPeer[peerKey, default: 0]
            if count >= configuration.maximumConnectionsPerPeer { return (nil, true) }
            state.inboundPerPeer[peerKey] = count + 1
            state.live[ObjectIdentifier(connection)] = .init(connection: connection, lastActivity: connection.activity)
            return (state.handlers[connection.session.protocolName], false)
        }
        if overPeerLimit {
            metrics.refused("peer_limit")
            await connection.goodbye("too many \(connection.session.protocolName) connections from \(connection.peer.name)")
            return
        }
        defer {
            state.withLock { state in
                state.inboundPerPeer[peerKey, default: 1] -= 1
                if state.inboundPerPeer[peerKey] == 0 { state.inboundPerPeer[peerKey] = nil }
                state.live[ObjectIdentifier(connection)] = nil
            }
            connection.close()
        }
        metrics.established(inbound: true, cipher: connection.session.cipher)
        await handler?(connection)
    }

    /// Runs `body`, failing with `timedOut` if it takes longer than `limit` on the transport's clock.
    func withDeadline<T: Sendable>(
        _ limit: Duration, what: String, _ body: @escaping @Sendable () async throws(TransportError) -> T
    ) async throws(TransportError) -> T {
        let clock = self.clock
        let result = await withTaskGroup(of: Result<T, TransportError>?.self) { group in
            group.addTask {
                do throws(TransportError) {
                    return .success(try await body())
                } catch {
                    return .failure(error)
                }
            }
            group.addTask {
                do {
                    try await clock.sleep(for: limit)
                    return .failure(.timedOut(what))
                } catch {
                    return nil
                }
            }
            var outcome: Result<T, TransportError> = .failure(.timedOut(what))
            while let next = await group.next() {
                if let next {
                    outcome = next
                    break
                }
            }
            group.cancelAll()
            return outcome
        }
        return try result.get()
    }
}
