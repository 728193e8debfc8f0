import NIOCore
import NIOPosix
import Synchronization

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
        let loop = group.any()
        let sleeper = Sleeper()
        try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Void, any Error>) in
                sleeper.start(continuation) { sleeper in
                    loop.scheduleTask(in: Self.timeAmount(delay)) { sleeper.finish(throwing: nil) }
                }
            }
        } onCancel: {
            sleeper.finish(throwing: CancellationError())
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

/// One sleep's continuation and timer; whichever of the timer and a cancellation comes first
/// resumes it, exactly once.
private final class Sleeper: Sendable {
    private enum State {
        case idle
        case waiting(UnsafeContinuation<Void, any Error>, Scheduled<Void>?)
        case cancelledEarly
        case finished
    }

    private let state = Mutex<State>(.idle)

    /// Stores the continuation and arms the timer, unless a cancellation came first.
    func start(_ continuation: UnsafeContinuation<Void, any Error>, arm: (Sleeper) -> Scheduled<Void>) {
        let cancelled = state.withLock { state -> Bool in
            guard case .idle = state else { return true }
            state = .waiting(continuation, nil)
            return false
        }
        if cancelled {
            state.withLock { $0 = .finished }
            continuation.resume(throwing: CancellationError())
            return
        }
        let timer = arm(self)
        let fired = state.withLock { state -> Bool in
            guard case .waiting(let stored, nil) = state else { return true }
            state = .waiting(stored, timer)
            return false
        }
        // Finished (by the timer or a cancellation) before the timer was stored: make sure
        // a cancelled sleep leaves no timer behind.
        if fired { timer.cancel() }
    }

    /// Resumes the sleeper, normally (`nil`) or with `error`; later calls do nothing.
    func finish(throwing error: (any Error)?) {
        let taken = state.withLock { state -> (UnsafeContinuation<Void, any Error>, Scheduled<Void>?)? in
            switch state {
            case .idle:
                state = .cancelledEarly
                return nil
            case .waiting(let continuation, let timer):
                state = .finished
                return (continuation, timer)
            case .cancelledEarly, .finished:
                return nil
            }
        }
        guard let (continuation, timer) = taken else { return }
        if let error {
            timer?.cancel()
            continuation.resume(throwing: error)
        } else {
            continuation.resume()
        }
    }
}
