import Dispatch
public import Testing

/// Runs each test of a suite on Dispatch's default global queue instead of Swift's cooperative
/// pool: for tests that compute for seconds without suspending (simulated clusters, random
/// histories) or wait for a child process in blocking calls (the kill -9 tests).
///
/// Swift Testing runs every test in one process, all at once, on the cooperative pool: as many
/// threads as cores (two here), never preempted. A simulation of a thousand nodes and a blocked
/// wait then hold both threads for minutes, and every test that waits on a clock (an in-memory
/// Raft group's 100 ms election, a transport deadline) gets no thread at all: it fails by timing
/// out. The global queue has threads of its own, which the kernel time-slices with the pool's
/// (and adds to when they block), so these tests still run at the machine's speed and the
/// waiting tests still get turns.
public struct OffCooperativePool: SuiteTrait, TestTrait, TestScoping {
    public var isRecursive: Bool { true }

    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        try await withTaskExecutorPreference(GlobalQueueExecutor.shared) { try await function() }
    }
}

extension Trait where Self == OffCooperativePool {
    /// This suite's (or test's) bodies run off the cooperative pool: see `OffCooperativePool`.
    public static var offCooperativePool: OffCooperativePool { OffCooperativePool() }
}

/// A task executor over `DispatchQueue.global()`.
final class GlobalQueueExecutor: TaskExecutor {
    static let shared = GlobalQueueExecutor()

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        DispatchQueue.global().async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
