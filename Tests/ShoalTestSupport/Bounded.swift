import Synchronization

/// What `body` gives within `limit`, or nil when it has not finished by then. `body` runs in a
/// task of its own that the caller does not wait for, so even a wait that ignores cancellation
/// (a `waitpid`, a continuation nobody resumes) cannot hang the test: it is left behind, and the
/// caller records the failure.
public func value<T: Sendable>(within limit: Duration, of body: @escaping @Sendable () async -> T) async -> T? {
    let box = Mutex<T?>(nil)
    Task {
        let result = await body()
        box.withLock { $0 = result }
    }
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if let result = box.withLock({ $0 }) { return result }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return box.withLock { $0 }
}
