public import CoreMetrics

/// The transport's counters, made once from the agent's metrics factory.
public struct TransportMetrics: Sendable {
    let factory: any MetricsFactory

    public init(factory: any MetricsFactory) { self.factory = factory }

    /// A connection refused or failed before it was established, by reason (`uncertified`,
    /// `expired`, `decryption_failed`, `connection_limit`, `timed_out`, …).
    func refused(_ reason: String) {
        Counter(label: "shoal_transport_refused_total", dimensions: [("reason", reason)], factory: factory).increment()
    }

    /// A connection established, by direction and bulk cipher.
    func established(inbound: Bool, cipher: BulkCipher.Kind) {
        Counter(
            label: "shoal_transport_established_total",
            dimensions: [("direction", inbound ? "inbound" : "outbound"), ("cipher", cipher.rawValue)], factory: factory
        ).increment()
    }

    func closedIdle() {
        Counter(label: "shoal_transport_idle_closed_total", factory: factory).increment()
    }
}
