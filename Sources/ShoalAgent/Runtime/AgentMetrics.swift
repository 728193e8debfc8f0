import CoreMetrics
import ShoalMembership
public import Prometheus

/// The agent's metrics, in one Prometheus registry served at `/v1/metrics`.
///
/// Metrics are made with an explicit factory rather than the global
/// `MetricsSystem`, so that several agents can live in one test process.
public final class AgentMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    let factory: PrometheusMetricsFactory
    let uptime: CoreMetrics.Gauge
    // Per-datagram counters are made once: looking a metric up by label costs a lock and a hash.
    let datagramsReceived: CoreMetrics.Counter
    let bytesReceived: CoreMetrics.Counter
    let datagramsSent: CoreMetrics.Counter
    let bytesSent: CoreMetrics.Counter
    let localHealth: CoreMetrics.Gauge

    public init(version: String, nodeName: String) {
        registry = PrometheusCollectorRegistry()
        factory = PrometheusMetricsFactory(registry: registry)
        uptime = CoreMetrics.Gauge(label: "shoal_uptime_seconds", factory: factory)
        datagramsReceived = CoreMetrics.Counter(label: "shoal_gossip_datagrams_received_total", factory: factory)
        bytesReceived = CoreMetrics.Counter(label: "shoal_gossip_bytes_received_total", factory: factory)
        datagramsSent = CoreMetrics.Counter(label: "shoal_gossip_datagrams_sent_total", factory: factory)
        bytesSent = CoreMetrics.Counter(label: "shoal_gossip_bytes_sent_total", factory: factory)
        localHealth = CoreMetrics.Gauge(label: "shoal_local_health", factory: factory)
        CoreMetrics.Gauge(label: "shoal_build_info", dimensions: [("version", version), ("node", nodeName)], factory: factory)
            .record(1)
    }

    /// Counts one HTTP request by listener (`admin`, `metrics`), route template and status code.
    /// `route` is a template the router knows or `unmatched`, never a raw path: each label value
    /// is a time series kept for good, so a label a client chooses grows the agent without bound.
    func countRequest(listener: String, route: String, status: Int) {
        CoreMetrics.Counter(
            label: "shoal_admin_requests_total",
            dimensions: [("listener", listener), ("route", route), ("status", String(status))], factory: factory
        ).increment()
    }

    /// Counts a connection closed on accept because its listener was at its connection cap.
    func countRefusedConnection(listener: String) {
        CoreMetrics.Counter(
            label: "shoal_admin_connections_refused_total", dimensions: [("listener", listener)], factory: factory
        ).increment()
    }

    /// Counts a datagram or stream refused before it reached the core, by reason.
    func countDropped(reason: String, by count: Int = 1) {
        CoreMetrics.Counter(label: "shoal_gossip_dropped_total", dimensions: [("reason", reason)], factory: factory)
            .increment(by: count)
    }

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

    /// Prometheus text exposition format 0.0.4.
    func render(uptimeSeconds: Double) -> [UInt8] {
        uptime.record(uptimeSeconds)
        return registry.emitToBuffer()
    }
}
