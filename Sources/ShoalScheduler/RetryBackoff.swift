/// The wait before a retry: 1 s doubled for each attempt already made, at most 5 minutes
/// (exponential backoff without jitter: the leader places retries in batches anyway, and a
/// deterministic delay keeps replicas in agreement).
public enum RetryBackoff {
    /// The first retry's wait.
    public static let initialMilliseconds: Int64 = 1000
    /// The longest wait.
    public static let maximumMilliseconds: Int64 = 300_000

    /// The wait after attempt `attempt` (1-based) failed.
    public static func delay(afterAttempt attempt: Int) -> Int64 {
        let doublings = min(max(attempt - 1, 0), 20)
        return min(maximumMilliseconds, initialMilliseconds << doublings)
    }
}
