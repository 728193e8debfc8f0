import Foundation
import Hummingbird

/// What a listener answers with: its router, wrapped in what every request gets whatever its
/// route, namely 405 with `Allow` for a known path asked with another method, 413 for a body
/// announced over the limit, 503 for a route that overran `requestTimeout`, and a count in
/// `shoal_admin_requests_total` labelled by route template, never by raw path.
struct AdminResponder: Sendable {
    /// The route label of a request that matched no route: one value, however many paths are asked.
    static let unmatched = "unmatched"

    let router: RouterResponder<BasicRequestContext>
    let table: RouteTable
    let limits: HTTPLimits
    let metrics: AgentMetrics
    /// `admin` or `metrics`: which listener the counts are for.
    let listener: String

    init(
        routes: (router: Router<BasicRequestContext>, table: RouteTable), limits: HTTPLimits, metrics: AgentMetrics,
        listener: String
    ) {
        self.router = routes.router.buildResponder()
        self.table = routes.table
        self.limits = limits
        self.metrics = metrics
        self.listener = listener
    }

    func respond(to request: Request, context: BasicRequestContext) async -> Response {
        let path = request.uri.path
        let known = table.allowed(on: path)
        let response: Response
        var route = known == nil ? Self.unmatched : path
        if let known, !known.contains(request.method) {
            var headers = HTTPFields()
            headers[.allow] = known.map(\.rawValue).joined(separator: ", ")
            response = Self.error(
                .methodNotAllowed, "\(request.method.rawValue) is not allowed on \(path); use \(headers[.allow] ?? "")",
                headers: headers)
        } else if let length = request.headers[.contentLength].flatMap(Int.init), length > limits.maximumBodyBytes,
            !Self.isObjectRoute(path)
        {
            response = Self.error(
                .contentTooLarge, "the request body is \(length) bytes; at most \(limits.maximumBodyBytes) are accepted")
        } else {
            response = await routed(request, context: context)
            // The router stores the template it matched on the context (a shared box).
            route = context.endpointPath.flatMap { $0 == "NotFound" ? nil : $0 } ?? Self.unmatched
        }
        metrics.countRequest(listener: listener, route: route, status: response.status.code)
        return response
    }

    private func routed(_ request: Request, context: BasicRequestContext) async -> Response {
        let router = self.router
        // A watch (a blocking read, `?index=`, of keys or tasks) waits up to its own bound on top.
        let watching = request.uri.queryParameters["index"] != nil
        // An object's bytes stream through the route (a put) or are fetched before it answers (a
        // get): bounded by the connection's idle timeout while they move, and by an hour in all.
        let limit = limits.requestTimeout + (watching ? KVWatch.maximumWait : .zero)
            + (Self.isObjectRoute(request.uri.path) || Self.isTaskLogRoute(request.uri.path) ? Self.objectTransferAllowance : .zero)
        do {
            return try await withThrowingTaskGroup(of: Response?.self) { group in
                group.addTask { try await router.respond(to: request, context: context) }
                group.addTask {
                    try await Task.sleep(for: limit)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let response = first else {
                    return Self.error(
                        .serviceUnavailable, "the request took longer than \(limit) and was stopped; try again")
                }
                return response
            }
        } catch is CancellationError {
            return Self.error(.serviceUnavailable, "the request was cancelled (the client went away, or the agent is stopping)")
        } catch {
            context.logger.debug("admin request failed", metadata: ["error": "\(error)"])
            return Self.error(.internalServerError, "internal error: \(error)")
        }
    }

    /// The extra time an object route may take to read or fetch an object.
    static let objectTransferAllowance: Duration = .seconds(3_600)

    /// `/v1/objects` and everything under it: the routes whose bodies are objects, of any size.
    static func isObjectRoute(_ path: String) -> Bool { path == "/v1/objects" || path.hasPrefix("/v1/objects/") }

    /// `/v1/tasks/{id}/logs`: a stored stream, read like an object.
    static func isTaskLogRoute(_ path: String) -> Bool { path.hasPrefix("/v1/tasks/") && path.hasSuffix("/logs") }

    static func error(_ status: HTTPResponse.Status, _ message: String, headers: HTTPFields = [:]) -> Response {
        let body = (try? JSONEncoder().encode(AdminAPI.ErrorBody(message: message))) ?? Data()
        var headers = headers
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}
