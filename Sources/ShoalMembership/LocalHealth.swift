/// Lifeguard's local health multiplier (Lifeguard IV.A, memberlist `awareness`).
///
/// A score in 0 ..< max: missed acks and nacks, local send errors and having to refute raise
/// it; successful probes lower it. Probe interval and timeout are stretched by (score + 1), so a
/// node that is itself slow waits longer before accusing others.
struct LocalHealth: Sendable {
    private(set) var score = 0
    let maximum: Int

    init(maximumMultiplier: Int) {
        maximum = max(1, maximumMultiplier)
    }

    mutating func apply(_ delta: Int) {
        score = min(max(score + delta, 0), maximum - 1)
    }

    func scaled(_ duration: Duration) -> Duration {
        duration * (score + 1)
    }
}
