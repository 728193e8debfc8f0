import CoreMetrics
public import Prometheus

/// The agent's metrics, in one Prometheus registry served at `/v1/metrics`.
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

    /// Counts one admin API request by route and status code.
    func countRequest(path: String, status: Int) {
        CoreMetrics.Counter(
            label: "shoal_admin_requests_total", dimensions: [("path", path), ("status", String(status))],
            factory: factory
        ).increment()
    }

    /// Prometheus text exposition format 0.0.4.
    func render(uptimeSeconds: Double) -> [UInt8] {
        uptime.record(uptimeSeconds)
        return registry.emitToBuffer()
    }
}
