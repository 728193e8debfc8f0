/// Link behaviour shared by every link unless a test changes it.
public struct NetworkConditions: Sendable {
    /// Probability that a datagram is lost (streams are reliable and never lost).
    public var lossProbability: Double
    /// One-way delay floor.
    public var baseDelay: Duration
    /// Extra one-way delay, uniform in 0 ..< jitter.
    public var jitter: Duration

    /// Plain memberwise initialiser.
    public init(lossProbability: Double = 0, baseDelay: Duration = .milliseconds(1), jitter: Duration = .milliseconds(4)) {
        self.lossProbability = lossProbability
        self.baseDelay = baseDelay
        self.jitter = jitter
    }
}
