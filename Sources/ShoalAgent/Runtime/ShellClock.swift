import Foundation

/// The time a shell runs on, injected: elapsed time since start (what the pure cores count
/// in), sleeping, and wall-clock seconds for certificate expiry. Tests pass a clock they
/// advance themselves; the agent passes `ContinuousClock` and the system's wall clock.
struct ShellClock: Sendable {
    /// Time since this clock was made.
    let elapsed: @Sendable () -> Duration
    /// Suspends for the duration on the underlying clock.
    let sleep: @Sendable (Duration) async throws -> Void
    /// Unix time in microseconds.
    let unixMicroseconds: @Sendable () -> UInt64
    /// Unix seconds.
    var unixSeconds: UInt64 { unixMicroseconds() / 1_000_000 }
    /// The underlying clock, for APIs that take one.
    let clock: any Clock<Duration>

    init<C: Clock>(_ clock: C, unixMicroseconds: @escaping @Sendable () -> UInt64) where C.Duration == Duration {
        let start = clock.now
        elapsed = { start.duration(to: clock.now) }
        sleep = { try await clock.sleep(for: $0) }
        self.unixMicroseconds = unixMicroseconds
        self.clock = clock
    }

    /// The system's clocks, sleeping as `Task.sleep` does: what a shell made in a test process
    /// gets unless the test passes its own.
    static let system = ShellClock(ContinuousClock(), unixMicroseconds: { UInt64(Date().timeIntervalSince1970 * 1_000_000) })

    /// The agent's clock (`Agent.run`): the system's time, with sleeps as timers of the event
    /// loop the sleeper runs on (`EventLoopClock`), since all of the agent's tasks run on loops.
    static let eventLoop = ShellClock(EventLoopClock(), unixMicroseconds: { UInt64(Date().timeIntervalSince1970 * 1_000_000) })
}
