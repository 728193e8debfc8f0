/// The bounds every HTTP listener of the agent (the admin socket, the metrics port) keeps, so
/// that no client, however it behaves, can hold the agent's descriptors, memory or tasks.
struct HTTPLimits: Sendable {
    /// How long a connection may sit without a complete request part before it is closed. It is
    /// also the header timeout: a request head is one part, so a client that trickles its head
    /// is cut after this long. A response being written (the `GET /v1/monitor` stream) never
    /// counts as idle.
    var idleTimeout: Duration
    /// How long a route may take to produce its response (`POST /v1/join` dialling seeds, the
    /// body it reads); the route is cancelled and the client gets 503 after it. A streamed body
    /// (`/v1/monitor`) is not bounded: its route answers at once.
    var requestTimeout: Duration
    /// Connections open at once; one over the cap is closed as soon as it is accepted, and
    /// counted in `shoal_admin_connections_refused_total`.
    var maximumConnections: Int
    /// The largest request body read; a larger one is refused with 413.
    var maximumBodyBytes: Int

    /// The admin socket. The CLI opens a connection, asks, and closes it within milliseconds, so
    /// 30 s of idleness only ever catches clients that have gone quiet. 64 connections is far
    /// more than the CLI, scripts and a few `shoal monitor`s use at once, and small beside the
    /// 1,024 descriptors systemd grants by default, which gossip peers and files also need.
    /// 30 s per request covers a join of the 16 seeds a request may name when most answer.
    /// 1 MiB is a hundred times the largest JSON body any route takes.
    static let adminSocket = HTTPLimits(
        idleTimeout: .seconds(30), requestTimeout: .seconds(30), maximumConnections: 64, maximumBodyBytes: 1 << 20)

    /// The metrics port: Prometheus scrapes every 15–60 s and reconnects when its keep-alive
    /// connection has been closed, so 30 s of idleness costs it nothing. A handful of scrapers
    /// is the most a port serving one node's metrics sees; 16 leaves room and bounds what a
    /// scanner can hold. No route reads a body.
    static let metricsPort = HTTPLimits(
        idleTimeout: .seconds(30), requestTimeout: .seconds(10), maximumConnections: 16, maximumBodyBytes: 0)
}
