import Hummingbird

/// A router's responder, with the methods each of its paths answers: what turns a known path
/// asked with the wrong method into 405 with an `Allow` header rather than 404.
///
/// Admin paths are fixed strings (no `:parameters`), looked up as they are, except those that
/// end in `/**` (`/v1/kv/**`), which answer every path under their prefix.
struct RouteTable: Sendable {
    private(set) var methods: [String: [HTTPRequest.Method]] = [:]
    private(set) var prefixes: [String: [HTTPRequest.Method]] = [:]

    /// The methods `path` answers; nil when no route has that path.
    func allowed(on path: String) -> [HTTPRequest.Method]? {
        methods[path] ?? prefixes.first { path.hasPrefix($0.key) && path.count > $0.key.count }?.value
    }

    fileprivate mutating func record(_ method: HTTPRequest.Method, _ path: String) {
        if path.hasSuffix("/**") {
            prefixes[String(path.dropLast(2)), default: []].append(method)
        } else {
            methods[path, default: []].append(method)
        }
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
