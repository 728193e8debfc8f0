import NIOPosix
import Synchronization
import Testing

@testable import ShoalAgent

/// The agent's sleeps (`ShellClock.system`) are event-loop timers: they must behave as
/// `Task.sleep` does, in duration and in cancellation.
@Suite("event loop clock")
struct EventLoopClockTests {
    let clock = EventLoopClock()

    @Test("a sleep lasts at least its duration, on a loop or off one")
    func sleepsAtLeast() async throws {
        for onLoop in [true, false] {
            let start = ContinuousClock.now
            let clock = self.clock
            // Bounded: a sleep that never ends fails here instead of hanging the suite.
            let ended = try await outcome(within: .seconds(10)) {
                if onLoop {
                    try await withTaskExecutorPreference(EventLoopExecutor.shared) { try await clock.sleep(for: .milliseconds(30)) }
                } else {
                    try await clock.sleep(for: .milliseconds(30))
                }
            }
            #expect(ended.map { (try? $0.get()) != nil } == true, "on a loop: \(onLoop): \(String(describing: ended))")
            #expect(start.duration(to: .now) >= .milliseconds(30), "on a loop: \(onLoop)")
        }
    }

    /// Runs `body` in a task and waits at most `limit` for it to end; nil if it did not (a
    /// sleep that ignores cancellation must fail the test, not hang it).
    func outcome(within limit: Duration, cancelAfter delay: Duration? = nil, _ body: @escaping @Sendable () async throws -> Void)
        async throws -> Result<Void, any Error>?
    {
        let box = Mutex<Result<Void, any Error>?>(nil)
        // On the agent's executor: the cooperative pool may be held for seconds by other suites.
        let task = Task(executorPreference: EventLoopExecutor.shared) {
            do { try await body(); box.withLock { $0 = .success(()) } } catch { box.withLock { $0 = .failure(error) } }
        }
        if let delay {
            try await Task.sleep(for: delay)
            task.cancel()
        }
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if let result = box.withLock({ $0 }) { return result }
            try await Task.sleep(for: .milliseconds(5))
        }
        return box.withLock { $0 }
    }

    @Test("cancelling a sleep ends it with CancellationError, long before its deadline")
    func cancelledSleepThrows() async throws {
        let clock = clock
        let ended = try await outcome(within: .seconds(10), cancelAfter: .milliseconds(20)) {
            try await withTaskExecutorPreference(EventLoopExecutor.shared) { try await clock.sleep(for: .seconds(3_600)) }
        }
        let result = try #require(ended, "a cancelled hour-long sleep was still asleep 10 s later")
        #expect(throws: CancellationError.self) { try result.get() }
    }

    @Test("a task already cancelled does not sleep, and a deadline already past returns at once")
    func cancelledBeforeOrPast() async throws {
        let clock = clock
        let ended = try await outcome(within: .seconds(10)) {
            withUnsafeCurrentTask { $0?.cancel() }
            try await clock.sleep(for: .seconds(3_600))
        }
        let result = try #require(ended, "a sleep begun by a cancelled task was still asleep 10 s later")
        #expect(throws: CancellationError.self) { try result.get() }
        let past = try await outcome(within: .seconds(10)) {
            try await clock.sleep(until: .now - .seconds(1), tolerance: nil)
            try await clock.sleep(for: .zero)
        }
        #expect(past.map { (try? $0.get()) != nil } == true, "a sleep to a past deadline did not return at once: \(String(describing: past))")
    }

    @Test("many sleeps racing their cancellation each end exactly once")
    func raceWithCancellation() async throws {
        let count = Mutex(0)
        let finished = try await outcome(within: .seconds(30)) {
            let ended = await withTaskGroup(of: Bool.self) { group in
                for index in 0..<2_000 {
                    group.addTask {
                        let sleep = Task { try await EventLoopClock().sleep(for: .microseconds(index % 50)) }
                        if index % 2 == 0 { sleep.cancel() }
                        // A sleep not cancelled returns; a cancelled one returns (when it ended
                        // first) or throws CancellationError. Any other end is a failure.
                        do {
                            try await sleep.value
                            return true
                        } catch is CancellationError {
                            return index % 2 == 0
                        } catch {
                            return false
                        }
                    }
                }
                var ended = 0
                for await done in group where done { ended += 1 }
                return ended
            }
            count.withLock { $0 = ended }
        }
        #expect(finished != nil, "2,000 short sleeps had not all ended 30 s later")
        #expect(count.withLock { $0 } == 2_000)
    }

    @Test("durations convert to NIO's nanoseconds, rounding up")
    func timeAmounts() {
        #expect(EventLoopClock.timeAmount(.milliseconds(25)) == .milliseconds(25))
        #expect(EventLoopClock.timeAmount(.nanoseconds(1) / 2) == .nanoseconds(1))
        #expect(EventLoopClock.timeAmount(.seconds(Int64.max)) == .nanoseconds(.max))
    }
}
