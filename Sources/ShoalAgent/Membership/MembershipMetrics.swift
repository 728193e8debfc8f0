import CoreMetrics
import ShoalMembership

/// Membership's metrics: gossip traffic, drops by reason, Lifeguard's health, members by
/// status. Made from the agent's factory by the membership subsystem itself.
final class MembershipMetrics: Sendable {
    let factory: any MetricsFactory
    // Per-datagram counters are made once: looking a metric up by label costs a lock and a hash.
    let datagramsReceived: CoreMetrics.Counter
    let bytesReceived: CoreMetrics.Counter
    let datagramsSent: CoreMetrics.Counter
    let bytesSent: CoreMetrics.Counter
    let redundant: CoreMetrics.Counter
    let localHealth: CoreMetrics.Gauge

    init(factory: any MetricsFactory) {
        self.factory = factory
        datagramsReceived = CoreMetrics.Counter(label: "shoal_gossip_datagrams_received_total", factory: factory)
        bytesReceived = CoreMetrics.Counter(label: "shoal_gossip_bytes_received_total", factory: factory)
        datagramsSent = CoreMetrics.Counter(label: "shoal_gossip_datagrams_sent_total", factory: factory)
        bytesSent = CoreMetrics.Counter(label: "shoal_gossip_bytes_sent_total", factory: factory)
        redundant = CoreMetrics.Counter(label: "shoal_gossip_redundant_total", factory: factory)
        localHealth = CoreMetrics.Gauge(label: "shoal_local_health", factory: factory)
    }

    /// Counts a datagram or stream refused before it reached the core, by reason.
    func countDropped(reason: String, by count: Int = 1) {
        CoreMetrics.Counter(label: "shoal_gossip_dropped_total", dimensions: [("reason", reason)], factory: factory)
            .increment(by: count)
    }

    /// A datagram that held only gossip this node already had, dropped before its signature check.
    func countRedundant() { redundant.increment() }

    func countDatagram(received bytes: Int) {
        datagramsReceived.increment()
        bytesReceived.increment(by: bytes)
    }

    func countDatagram(sent bytes: Int) {
        datagramsSent.increment()
        bytesSent.increment(by: bytes)
    }

    func countSocketReopen() {
        CoreMetrics.Counter(label: "shoal_gossip_socket_reopens_total", factory: factory).increment()
    }

    func countSendFailure() {
        CoreMetrics.Counter(label: "shoal_gossip_send_failures_total", factory: factory).increment()
    }

    /// Lifeguard's local health score: 0 is healthy; higher means this node is the slow one.
    func setLocalHealth(_ score: Int) {
        localHealth.record(score)
    }

    /// Members by status, as this node sees them.
    func setMembers(_ members: [ShoalMembership.Member]) {
        for status in ["alive", "suspect", "dead", "left"] {
            let count = members.filter { $0.status.rawValue == status }.count
            CoreMetrics.Gauge(label: "shoal_members", dimensions: [("status", status)], factory: factory).record(count)
        }
    }
}
