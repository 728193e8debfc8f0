import Foundation
public import Testing

/// Runs each test of a suite on threads of its own instead of Swift's cooperative pool: for
/// tests that compute for seconds without suspending (simulated clusters, random histories) or
/// wait for a child process in blocking calls (the kill -9 tests).
///
/// Swift Testing runs every test in one process, all at once, on the cooperative pool. On Linux
/// that pool is Dispatch's default-QoS root queue, which keeps about as many threads running as
/// there are cores (two here) and adds one only when a thread blocks in the kernel. Two
/// simulations of a thousand nodes hold both threads for minutes while staying runnable, so
/// every test that waits on a clock (an in-memory Raft group's 100 ms election, a push-pull's
/// 5 s stream deadline) gets no thread for seconds and fails by timing out. (Sending these jobs to
/// `DispatchQueue.global()` instead, as this trait once did, changes nothing: it is the same
/// queue.) `ThreadPoolExecutor` threads are plain threads outside Dispatch, which the kernel
/// time-slices with the pool's, so these tests still run at the machine's speed and the
/// waiting tests still get turns.
public struct OffCooperativePool: SuiteTrait, TestTrait, TestScoping {
    public var isRecursive: Bool { true }

    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        try await withTaskExecutorPreference(ThreadPoolExecutor.shared) { try await function() }
    }
}

extension Trait where Self == OffCooperativePool {
    /// This suite's (or test's) bodies run off the cooperative pool: see `OffCooperativePool`.
    public static var offCooperativePool: OffCooperativePool { OffCooperativePool() }
}

/// A task executor over a fixed set of threads that live as long as the process, taking jobs
/// from one queue in order. Three threads: as many long synchronous tests as run at once
/// without taking more than three fifths of the machine from the cooperative pool; a fourth
/// such test waits for a thread.
final class ThreadPoolExecutor: TaskExecutor, @unchecked Sendable {
    static let shared = ThreadPoolExecutor(threads: 3)

    /// Guards `jobs`; waited on by idle threads.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []

    private init(threads: Int) {
        for index in 0..<threads {
            let thread = Thread { [self] in work() }
            thread.name = "off-pool-\(index)"
            thread.start()
        }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func work() {
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
