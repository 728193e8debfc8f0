import Foundation
public import Hummingbird
import ShoalCrypto

/// Everything the admin API routes need to answer.
struct AdminState: Sendable {
    let credentials: NodeCredentials
    let configuration: AgentConfiguration
    let metrics: AgentMetrics
    let started: ContinuousClock.Instant
    let subsystems: [any AgentSubsystem]
    let gossipAddress: HostPort
    let taskIsolation: TaskIsolation

    var uptimeSeconds: Double {
        let elapsed = ContinuousClock.now - started
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}

/// Builds the `/v1/` routes: all of them on the admin socket, `GET /v1/metrics` alone on the
/// metrics port (the admin socket is the only door that changes anything).
enum AdminRouter {
    /// Every route, for the admin socket.
    static func make(state: AdminState) -> (router: Router<BasicRequestContext>, table: RouteTable) {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: ErrorBodyMiddleware())
        var table = RouteTable()
        router.route(.get, "/v1/info", in: &table) { _, _ -> AdminAPI.Info in
            info(state)
        }
        addMetricsRoute(to: router, table: &table, state: state)
        for subsystem in state.subsystems { subsystem.addRoutes(to: router, table: &table) }
        return (router, table)
    }

    /// `GET /v1/metrics` and nothing else, for the metrics port.
    static func makeMetricsOnly(state: AdminState) -> (router: Router<BasicRequestContext>, table: RouteTable) {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: ErrorBodyMiddleware())
        var table = RouteTable()
        addMetricsRoute(to: router, table: &table, state: state)
        return (router, table)
    }

    private static func addMetricsRoute(to router: Router<BasicRequestContext>, table: inout RouteTable, state: AdminState) {
        router.route(.get, "/v1/metrics", in: &table) { _, _ -> Response in
            let body = state.metrics.render(uptimeSeconds: state.uptimeSeconds)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
        }
    }

    static func info(_ state: AdminState) -> AdminAPI.Info {
        AdminAPI.Info(
            id: state.credentials.nodeID.hex,
            shortID: state.credentials.nodeID.shortID,
            name: state.configuration.name,
            version: ShoalVersion.current,
            clusterID: state.credentials.clusterID.hex,
            addresses: AdminAPI.Addresses(
                admin: state.configuration.adminSocket, metrics: state.configuration.metricsAddress?.description,
                gossip: state.gossipAddress.description),
            labels: state.configuration.labels,
            uptimeSeconds: state.uptimeSeconds,
            certificateExpiresAt: state.credentials.certificate.expiresAt,
            tasks: AdminAPI.TaskLimits(mechanism: state.taskIsolation.mechanism, detail: state.taskIsolation.detail))
    }
}

extension AdminAPI.Info: ResponseEncodable {}
extension AdminAPI.ErrorBody: ResponseEncodable {}

/// Answers every error a route throws, including unknown paths, with a JSON `ErrorBody`.
struct ErrorBodyMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError {
            let message = error.body ?? Self.message(for: error.status, path: request.uri.path)
            return try AdminAPI.ErrorBody(message: message).response(
                from: request, context: context, status: error.status)
        }
    }

    static func message(for status: HTTPResponse.Status, path: String) -> String {
        switch status {
        case .notFound: "no such endpoint: \(path) (see README: Admin API)"
        case .methodNotAllowed: "method not allowed on \(path)"
        default: status.reasonPhrase
        }
    }
}

extension ResponseEncodable {
    func response(from request: Request, context: some RequestContext, status: HTTPResponse.Status) throws -> Response {
        var response = try self.response(from: request, context: context)
        response.status = status
        return response
    }
}
