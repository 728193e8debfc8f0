import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// Serves the admin router over HTTP/1.1: Hummingbird's `Application.run`, less its date cache.
///
/// `Application` keeps a service that wakes every second to format the `Date` header through
/// Foundation's `Calendar`, which loads ICU's time-zone data: a timer and a few megabytes of
/// resident memory in every agent, for an API that answers a handful of requests an hour. This
/// server stamps each response with `UTCTime` instead.
struct AdminHTTPServer: Service {
    let responder: RouterResponder<BasicRequestContext>
    let address: BindAddress
    let onServerRunning: @Sendable () async -> Void
    let logger: Logger

    init(
        router: Router<BasicRequestContext>, address: BindAddress,
        onServerRunning: @escaping @Sendable () async -> Void, logger: Logger
    ) {
        self.responder = router.buildResponder()
        self.address = address
        self.onServerRunning = onServerRunning
        self.logger = logger
    }

    func run() async throws {
        let responder = self.responder
        let logger = self.logger
        let server = try HTTPServerBuilder.http1().buildServer(
            configuration: ServerConfiguration(address: address, serverName: "shoal"),
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
            logger: logger
        ) { request, responseWriter, channel in
            let context = BasicRequestContext(source: .init(channel: channel, logger: logger))
            var response: Response
            do {
                response = try await responder.respond(to: request, context: context)
            } catch let error as HTTPParserError {
                throw error
            } catch {
                logger.debug("admin request failed", metadata: ["error": "\(error)"])
                response = Response(status: .internalServerError)
            }
            response.headers[.date] = UTCTime.now().httpDate
            response.headers[.server] = "shoal"
            try await responseWriter.write(response: response.head, body: response.body)
        } onServerRunning: { _ in
            await onServerRunning()
        }
        try await server.run()
    }
}
