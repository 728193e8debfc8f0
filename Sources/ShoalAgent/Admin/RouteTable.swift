import Hummingbird

/// A router's responder, with the methods each of its paths answers: what turns a known path
/// asked with the wrong method into 405 with an `Allow` header rather than 404.
///
/// Every admin path is a fixed string (no `:parameters`), so a request's path is looked up as is.
struct RouteTable: Sendable {
    private(set) var methods: [String: [HTTPRequest.Method]] = [:]

    /// The methods `path` answers; nil when no route has that path.
    func allowed(on path: String) -> [HTTPRequest.Method]? { methods[path] }

    fileprivate mutating func record(_ method: HTTPRequest.Method, _ path: String) {
        methods[path, default: []].append(method)
    }
}

extension Router<BasicRequestContext> {
    /// Adds `handler` for `method path` and records the route in `table`.
    func route(
        _ method: HTTPRequest.Method, _ path: String, in table: inout RouteTable,
        use handler: @Sendable @escaping (Request, BasicRequestContext) async throws -> some ResponseGenerator
    ) {
        table.record(method, path)
        on(RouterPath(path), method: method, use: handler)
    }
}
