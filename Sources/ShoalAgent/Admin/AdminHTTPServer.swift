import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// Serves an `AdminResponder` over HTTP/1.1 within `HTTPLimits`: Hummingbird's `Application.run`,
/// less its date cache.
///
/// `Application` keeps a service that wakes every second to format the `Date` header through
/// Foundation's `Calendar`, which loads ICU's time-zone data: a timer and a few megabytes of
/// resident memory in every agent, for an API that answers a handful of requests an hour. This
/// server stamps each response with `UTCTime` instead.
struct AdminHTTPServer: Service {
    let responder: AdminResponder
    let address: BindAddress
    let onServerRunning: @Sendable () async -> Void
    let logger: Logger

    init(
        responder: AdminResponder, address: BindAddress, onServerRunning: @escaping @Sendable () async -> Void,
        logger: Logger
    ) {
        self.responder = responder
        self.address = address
        self.onServerRunning = onServerRunning
        self.logger = logger
    }

    func run() async throws {
        let responder = self.responder
        let logger = self.logger
        let limits = responder.limits
        let http = HTTP1Channel(
            responder: { request, responseWriter, channel in
                let context = BasicRequestContext(source: .init(channel: channel, logger: logger))
                var response = await responder.respond(to: request, context: context)
                response.headers[.date] = UTCTime.now().httpDate
                response.headers[.server] = "shoal"
                try await responseWriter.write(response: response.head, body: response.body)
                if response.status == .contentTooLarge {
                    // Hang up rather than read (and drop) the rest of a body we refused.
                    try? await channel.close()
                }
            },
            configuration: HTTP1Channel.Configuration(idleTimeout: TimeAmount(limits.idleTimeout)))
        let metrics = responder.metrics
        let listener = responder.listener
        let capped = ConnectionCap(http, maximum: limits.maximumConnections) {
            metrics.countRefusedConnection(listener: listener)
        }
        let server = capped.server(
            configuration: ServerConfiguration(address: address, serverName: "shoal"),
            onServerRunning: { _ in await onServerRunning() },
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
            logger: logger)
        try await server.run()
    }
}
