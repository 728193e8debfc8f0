extension Transport {
    /// Once a second: resets the handshake rate window; every quarter of the idle timeout,
    /// closes connections that saw no frame through a whole idle timeout.
    func sweep() async {
        let tick = Duration.seconds(1)
        let sweepsPerTimeout = 4
        let sweepEvery = max(1, Int((configuration.idleTimeout / sweepsPerTimeout) / tick))
        var ticks = 0
        while !Task.isCancelled {
            do { try await clock.sleep(for: tick) } catch { return }
            ticks += 1
            let idle = state.withLock { state -> [PeerConnection] in
                state.handshakesThisSecond = 0
                guard ticks % sweepEvery == 0 else { return [] }
                var quiet: [PeerConnection] = []
                for (id, var tracked) in state.live {
                    let activity = tracked.connection.activity
                    if activity == tracked.lastActivity {
                        tracked.quietSweeps += 1
                    } else {
                        tracked.quietSweeps = 0
                        tracked.lastActivity = activity
                    }
                    if tracked.quietSweeps >= sweepsPerTimeout {
                        quiet.append(tracked.connection)
                        state.live[id] = nil
                    } else {
                        state.live[id] = tracked
                    }
                }
                return quiet
            }
            for connection in idle {
                metrics.closedIdle()
                connection.close()
            }
        }
    }
}
