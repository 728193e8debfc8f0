import Dispatch
import Synchronization

/// Runs async `body` to completion from libFuzzer's synchronous callback (the configuration
/// loader and the admin API's body reader are async). The callback runs on libFuzzer's own
/// thread, never on the cooperative pool, so waiting here cannot starve the task.
public func runBlocking<T: Sendable>(_ body: @escaping @Sendable () async -> T) -> T {
    let result = Outcome<T>()
    let done = DispatchSemaphore(value: 0)
    Task {
        result.set(await body())
        done.signal()
    }
    done.wait()
    return result.take()
}

private final class Outcome<T: Sendable>: Sendable {
    private let value = Mutex<T?>(nil)

    func set(_ new: T) { value.withLock { $0 = new } }

    func take() -> T { value.withLock { $0! } }
}
