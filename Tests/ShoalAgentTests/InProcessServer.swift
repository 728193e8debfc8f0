import Hummingbird
import Logging
import ServiceLifecycle

@testable import ShoalAgent

/// An `AdminHTTPServer` on a Unix socket in this process, with limits a test chooses: for the
/// bounds that take real time (idle timeout, connection cap) without spawning an agent.
enum InProcessServer {
    struct NotServing: Error, CustomStringConvertible {
        var description: String { "the in-process admin server stopped before it was bound" }
    }

    /// A router with `GET /v1/ping` (answers `pong`).
    static func pingRoutes() -> (router: Router<BasicRequestContext>, table: RouteTable) {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: ErrorBodyMiddleware())
        var table = RouteTable()
        router.route(.get, "/v1/ping", in: &table) { _, _ in "pong" }
        return (router, table)
    }

    /// Serves `routes` on `socket` while `body` runs, then shuts the server down gracefully.
    static func serve<T>(
        socket: String, limits: HTTPLimits, metrics: AgentMetrics,
        routes: (router: Router<BasicRequestContext>, table: RouteTable) = pingRoutes(),
        _ body: () async throws -> T
    ) async throws -> T {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let (ready, readySink) = AsyncStream.makeStream(of: Void.self)
        let server = AdminHTTPServer(
            responder: AdminResponder(routes: routes, limits: limits, metrics: metrics, listener: "admin"),
            address: .unixDomainSocket(path: socket), onServerRunning: { readySink.yield() }, logger: logger)
        var configuration = ServiceGroupConfiguration(services: [server], logger: logger)
        // A server that does not stop is cancelled rather than left to hang the test run.
        configuration.maximumGracefulShutdownDuration = .seconds(10)
        let group = ServiceGroup(configuration: configuration)
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                defer { readySink.finish() }
                try await group.run()
            }
            var bound = ready.makeAsyncIterator()
            guard await bound.next() != nil else { throw NotServing() }
            let result: T
            do {
                result = try await body()
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return result
        }
    }
}
