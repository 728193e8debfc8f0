import Foundation
public import Hummingbird
import NIOCore
import ShoalCrypto
import ShoalObjects

extension AdminAPI.ObjectPut: ResponseEncodable {}
extension AdminAPI.ObjectInfo: ResponseEncodable {}
extension AdminAPI.ObjectEntry: ResponseEncodable {}

extension AdminRouter {
    /// `/v1/objects` (PUT a streamed body; GET the list) and `/v1/objects/{id}` (GET streams the
    /// bytes, `?describe` answers JSON; HEAD gives size and holders; DELETE drops this copy).
    static func addObjectRoutes(to router: Router<BasicRequestContext>, table: inout RouteTable, objects: ObjectService) {
        router.route(.put, "/v1/objects", in: &table) { request, _ -> AdminAPI.ObjectPut in
            let factor = try replicas(request, default: objects.settings.defaultFactor)
            let length = try request.headers[.contentLength].map { text -> UInt64 in
                guard let length = UInt64(text) else { throw HTTPError(.badRequest, message: "a malformed Content-Length") }
                return length
            }
            return try await answer { () async throws(ObjectError) in try await objects.put(request.body, length: length, factor: factor) }
        }
        router.route(.get, "/v1/objects", in: &table) { request, context -> Response in
            try await answer { () async throws(ObjectError) in try objects.list() }.response(from: request, context: context)
        }
        router.route(.get, "/v1/objects/**", in: &table) { request, context -> Response in
            let id = try objectID(request)
            if request.uri.queryParameters["describe"] != nil {
                return try await answer { () async throws(ObjectError) in try await objects.describe(id) }
                    .response(from: request, context: context)
            }
            return try await objectResponse(id, objects: objects)
        }
        router.route(.head, "/v1/objects/**", in: &table) { request, _ -> Response in
            let id = try objectID(request)
            let info = try await answer { () async throws(ObjectError) in try await objects.describe(id) }
            var headers: HTTPFields = [
                .contentType: "application/octet-stream", .contentLength: String(info.size),
                chunksHeader: String(info.chunks), replicasHeader: String(info.replicas),
            ]
            headers[holdersHeader] = info.holders.map { "\($0.name)=\($0.id)" }.joined(separator: ", ")
            return Response(status: .ok, headers: headers, body: ResponseBody())
        }
        router.route(.delete, "/v1/objects/**", in: &table) { request, _ -> AdminAPI.Done in
            let id = try objectID(request)
            try await answer { () async throws(ObjectError) in try await objects.remove(id) }
            return AdminAPI.Done(ok: true, message: "removed this node's copy of \(id)")
        }
    }

    static let chunksHeader = HTTPFields.Element.Name("X-Shoal-Chunks")!
    static let replicasHeader = HTTPFields.Element.Name("X-Shoal-Replicas")!
    static let holdersHeader = HTTPFields.Element.Name("X-Shoal-Holders")!

    /// The id of `/v1/objects/{id}`: a multihash in hex.
    /// The bytes of object `id`, streamed chunk by chunk as the store (or its holders) gives them,
    /// each chunk verified: `GET /v1/objects/{id}`, and the stored streams of a task.
    static func objectResponse(_ id: ObjectID, objects: ObjectService) async throws -> Response {
        let reader = try await answer { () async throws(ObjectError) in try await objects.read(id) }
        let manifest = reader.manifest
        // The first chunk before the status line: a fetch that cannot start (no holder sends
        // it intact, a full disk) is still an error status, not a cut-short body.
        let first = manifest.chunkCount == 0 ? nil : try await answer { () async throws(ObjectError) in try await reader.chunk(at: 0) }
        return Response(
            status: .ok,
            headers: [.contentType: "application/octet-stream", .contentLength: String(manifest.totalLength)],
            body: ResponseBody(contentLength: Int(manifest.totalLength)) { writer in
                if let first { try await writer.write(ByteBuffer(bytes: first)) }
                for position in (0..<manifest.chunkCount).dropFirst() {
                    let bytes = try await answer { () async throws(ObjectError) in try await reader.chunk(at: position) }
                    try await writer.write(ByteBuffer(bytes: bytes))
                }
                // Ends once this node keeps its copy, so a get that has answered left one here.
                await reader.finish()
                try await writer.finish(nil)
            })
    }

    private static func objectID(_ request: Request) throws -> ObjectID {
        let text = String(request.uri.path.dropFirst("/v1/objects/".count))
        guard let id = ObjectID(hex: text) else {
            throw HTTPError(.badRequest, message: "'\(text.prefix(80))' is not an object id (the hex a put answered)")
        }
        return id
    }

    /// `?replicas=N`, 1...16; the default without it.
    private static func replicas(_ request: Request, default standard: Int) throws -> Int {
        guard let text = request.uri.queryParameters["replicas"] else { return standard }
        guard let count = Int(String(text)), (1...ReplicationFactor.maximumCopies).contains(count) else {
            throw HTTPError(
                .badRequest, message: "replicas must be a whole number from 1 to \(ReplicationFactor.maximumCopies), not '\(text)'")
        }
        return count
    }

    private static func answer<T: Sendable>(_ body: () async throws(ObjectError) -> T) async throws -> T {
        do throws(ObjectError) {
            return try await body()
        } catch {
            switch error {
            case .notFound: throw HTTPError(.notFound, message: error.description)
            case .invalid: throw HTTPError(.badRequest, message: error.description)
            case .unavailable, .underReplicated: throw HTTPError(.serviceUnavailable, message: error.description)
            case .full: throw HTTPError(.init(code: 507, reasonPhrase: "Insufficient Storage"), message: error.description)
            case .store: throw HTTPError(.internalServerError, message: error.description)
            }
        }
    }
}

extension ObjectID {
    /// Parses the hex form the API prints; nil for anything else.
    init?(hex: String) {
        guard hex.count <= 256, let bytes = try? Hex.decode(hex, what: "object id"), let multihash = try? Multihash(bytes: bytes) else {
            return nil
        }
        self.init(multihash)
    }
}
