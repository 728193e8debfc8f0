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

    var uptimeSeconds: Double {
        let elapsed = ContinuousClock.now - started
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}

/// Builds the `/v1/` routes served on the admin socket (and the metrics port).
enum AdminRouter {
    static func make(state: AdminState) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: ErrorBodyMiddleware(metrics: state.metrics))
        router.get("/v1/info") { _, _ -> AdminAPI.Info in
            info(state)
        }
        router.get("/v1/metrics") { _, _ -> Response in
            let body = state.metrics.render(uptimeSeconds: state.uptimeSeconds)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
        }
        for subsystem in state.subsystems { subsystem.addRoutes(to: router) }
        return router
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
            certificateExpiresAt: state.credentials.certificate.expiresAt)
    }
}

extension AdminAPI.Info: ResponseEncodable {}
extension AdminAPI.ErrorBody: ResponseEncodable {}

/// Answers every error, including unknown paths, with a JSON `ErrorBody`, and counts requests.
struct ErrorBodyMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: AgentMetrics

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let route = request.uri.path.hasPrefix("/v1/") ? request.uri.path : "other"
        do {
            let response = try await next(request, context)
            metrics.countRequest(path: route, status: response.status.code)
            return response
        } catch let error as HTTPError {
            metrics.countRequest(path: route, status: error.status.code)
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
