import NIOCore
import NIOPosix

/// `ContinuousClock`'s time, whose sleeps are timers of the SwiftNIO event loop the sleeper
/// runs on (the agent's tasks run on those loops, `EventLoopExecutor`).
///
/// `Task.sleep` on Linux goes through Dispatch: its timer thread wakes, then a worker thread
/// runs the job only to hand it to the task's executor, which wakes the event loop: three
/// thread wake-ups for every timer. An idle agent sleeps some forty times a second (the
/// membership tick and gossip rounds, Raft's tick, pollers), so those hops were most of its
/// context switches. Here the loop's own `epoll_wait` times out and the job resumes on that
/// loop: one wake-up. Cancellation cancels the timer and throws `CancellationError`, as
/// `Task.sleep` does.
struct EventLoopClock: Clock {
    typealias Duration = Swift.Duration
    typealias Instant = ContinuousClock.Instant

    let group: MultiThreadedEventLoopGroup

    init(group: MultiThreadedEventLoopGroup = .singleton) { self.group = group }

    var now: Instant { ContinuousClock.now }

    var minimumResolution: Duration { ContinuousClock().minimumResolution }

    func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        try Task.checkCancellation()
        let delay = ContinuousClock.now.duration(to: deadline)
        guard delay > .zero else { return }
        // The loop this task runs on when it runs on one (`any()` answers the current loop).
        let timer = group.any().scheduleTask(in: Self.timeAmount(delay)) {}
        try await withTaskCancellationHandler {
            do {
                try await timer.futureResult.get()
            } catch EventLoopError.cancelled {
                throw CancellationError()
            }
        } onCancel: {
            timer.cancel()
        }
    }

    /// `duration` in NIO's unit, rounded up to the nanosecond.
    static func timeAmount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        let nanoseconds = (attoseconds + 999_999_999) / 1_000_000_000
        let (total, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return .nanoseconds(.max) }
        return .nanoseconds(total &+ nanoseconds)
    }
}
