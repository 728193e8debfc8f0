import CoreMetrics
public import Prometheus

/// The agent's metrics, in one Prometheus registry served at `/v1/metrics`: the agent's own
/// (uptime, build, admin requests) here; each subsystem makes its own from `factory`
/// (`MembershipMetrics`, `TransportMetrics`).
///
/// Metrics are made with an explicit factory rather than the global
/// `MetricsSystem`, so that several agents can live in one test process.
public final class AgentMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    let factory: PrometheusMetricsFactory
    let uptime: CoreMetrics.Gauge

    public init(version: String, nodeName: String) {
        registry = PrometheusCollectorRegistry()
        factory = PrometheusMetricsFactory(registry: registry)
        uptime = CoreMetrics.Gauge(label: "shoal_uptime_seconds", factory: factory)
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

    /// Prometheus text exposition format 0.0.4.
    func render(uptimeSeconds: Double) -> [UInt8] {
        uptime.record(uptimeSeconds)
        return registry.emitToBuffer()
    }
}
