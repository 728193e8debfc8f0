import Foundation
import NIOCore
public import NIOHTTP1
import NIOPosix

/// Why a request to the local agent failed, in words an operator can act on.
public enum AdminClientError: Error, Sendable, CustomStringConvertible {
    case cannotConnect(socket: String, reason: String)
    case api(status: Int, message: String)
    case badResponse(String)

    public var description: String {
        switch self {
        case .cannotConnect(let socket, let reason):
            "cannot reach the agent at \(socket): \(reason) (is `shoal agent` running? set --socket or SHOAL_SOCKET)"
        case .api(let status, let message): "agent answered \(status): \(message)"
        case .badResponse(let reason): "unexpected answer from the agent: \(reason)"
        }
    }
}

/// An HTTP/1.1 client of the admin API over its Unix socket: what the CLI and the
/// tests use, and what any other program can copy (`curl --unix-socket` works too).
public struct AdminClient: Sendable {
    public let socketPath: String

    public init(socketPath: String) { self.socketPath = socketPath }

    /// The status and whole body of `method path`.
    public func request(_ method: HTTPMethod = .GET, _ path: String, body: [UInt8] = []) async throws(AdminClientError)
        -> (status: Int, body: [UInt8])
    {
        var status = 0
        var collected: [UInt8] = []
        try await stream(method, path, body: body) { head, chunk in
            status = head
            collected.append(contentsOf: chunk)
        }
        return (status, collected)
    }

    /// The status, the value of header `name` (nil if absent) and the whole body of `GET path`
    /// (a key-value read and its `X-Shoal-Index`).
    public func get(_ path: String, header name: String) async throws(AdminClientError) -> (status: Int, header: String?, body: [UInt8]) {
        var status = 0
        var header: String?
        var collected: [UInt8] = []
        try await exchange(.GET, path, body: []) { head in
            status = Int(head.status.code)
            header = head.headers[name].first
        } onChunk: { chunk in
            collected.append(contentsOf: chunk)
        }
        return (status, header, collected)
    }

    /// `PUT path` with a raw body (a key's value), for callers that do not speak NIO's types.
    public func put(_ path: String, body: [UInt8]) async throws(AdminClientError) -> (status: Int, body: [UInt8]) {
        try await request(.PUT, path, body: body)
    }

    /// `DELETE path`.
    public func delete(_ path: String) async throws(AdminClientError) -> (status: Int, body: [UInt8]) {
        try await request(.DELETE, path)
    }

    /// Sends `method path` and decodes a 2xx JSON answer as `T`; other answers become `AdminClientError.api`.
    public func get<T: Decodable>(_ path: String, as type: T.Type) async throws(AdminClientError) -> T {
        let (status, body) = try await request(.GET, path)
        return try Self.decode(type, status: status, body: body)
    }

    /// Decodes a 2xx body as `T`, or the `ErrorBody` of anything else.
    public static func decode<T: Decodable>(_ type: T.Type, status: Int, body: [UInt8]) throws(AdminClientError) -> T {
        guard (200..<300).contains(status) else {
            let message = (try? JSONDecoder().decode(AdminAPI.ErrorBody.self, from: Data(body)))?.error.message
            throw .api(status: status, message: message ?? String(decoding: body, as: UTF8.self))
        }
        do {
            return try JSONDecoder().decode(type, from: Data(body))
        } catch {
            throw .badResponse("\(error)")
        }
    }

    /// Sends `method path` and hands each body chunk to `onChunk` as it arrives (for streams such as `monitor`);
    /// the first call carries the status and an empty chunk.
    public func stream(
        _ method: HTTPMethod, _ path: String, body: [UInt8] = [],
        onChunk: (_ status: Int, _ chunk: [UInt8]) async throws -> Void
    ) async throws(AdminClientError) {
        var status = 0
        try await exchange(method, path, body: body) { head in
            status = Int(head.status.code)
            try await onChunk(status, [])
        } onChunk: { chunk in
            try await onChunk(status, chunk)
        }
    }

    /// What a request sends after its head.
    enum RequestBody {
        case bytes([UInt8])
        /// Pieces pulled one at a time until nil, after a Content-Length header when the length is
        /// known (chunked transfer encoding otherwise).
        case stream(length: UInt64?, next: () async throws -> [UInt8]?)
    }

    /// Sends `method path`; `onHead` gets the response head, `onChunk` each body chunk as it arrives.
    private func exchange(
        _ method: HTTPMethod, _ path: String, body: [UInt8],
        onHead: (HTTPResponseHead) async throws -> Void, onChunk: ([UInt8]) async throws -> Void
    ) async throws(AdminClientError) {
        try await exchange(method, path, sending: .bytes(body), onHead: onHead, onChunk: onChunk)
    }

    private func exchange(
        _ method: HTTPMethod, _ path: String, sending body: RequestBody,
        onHead: (HTTPResponseHead) async throws -> Void, onChunk: ([UInt8]) async throws -> Void
    ) async throws(AdminClientError) {
        let channel: NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(unixDomainSocketPath: socketPath) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(
                            wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw .cannotConnect(socket: socketPath, reason: Self.reason(error))
        }
        do {
            try await channel.executeThenClose { inbound, outbound in
                var headers = HTTPHeaders([("Host", "localhost"), ("User-Agent", "shoal-cli")])
                switch body {
                case .bytes(let bytes) where !bytes.isEmpty:
                    headers.add(name: "Content-Type", value: "application/json")
                    headers.add(name: "Content-Length", value: String(bytes.count))
                case .bytes: break
                case .stream(let length, _):
                    headers.add(name: "Content-Type", value: "application/octet-stream")
                    if let length {
                        headers.add(name: "Content-Length", value: String(length))
                    } else {
                        headers.add(name: "Transfer-Encoding", value: "chunked")
                    }
                }
                try await outbound.write(.head(HTTPRequestHead(version: .http1_1, method: method, uri: path, headers: headers)))
                switch body {
                case .bytes(let bytes):
                    if !bytes.isEmpty { try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: bytes)))) }
                case .stream(_, let next):
                    while let piece = try await next() {
                        if !piece.isEmpty { try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: piece)))) }
                    }
                }
                try await outbound.write(.end(nil))
                for try await part in inbound {
                    switch part {
                    case .head(let head): try await onHead(head)
                    case .body(let buffer): try await onChunk(Array(buffer.readableBytesView))
                    case .end: return
                    }
                }
                throw AdminClientError.badResponse("the agent closed the connection mid-answer")
            }
        } catch let error as AdminClientError {
            throw error
        } catch {
            throw .badResponse(Self.reason(error))
        }
    }

    /// `method path` with a body pulled piece by piece from `next` until it answers nil (an
    /// object's bytes: memory stays at one piece); `length` is sent as Content-Length when known.
    /// Answers the status and the whole (JSON) answer.
    public func upload(
        _ method: HTTPMethod, _ path: String, length: UInt64?, next: @escaping () async throws -> [UInt8]?
    ) async throws(AdminClientError) -> (status: Int, body: [UInt8]) {
        var status = 0
        var collected: [UInt8] = []
        try await exchange(method, path, sending: .stream(length: length, next: next)) { head in
            status = Int(head.status.code)
        } onChunk: { chunk in
            collected.append(contentsOf: chunk)
        }
        return (status, collected)
    }

    /// `method path`, with the response's status and headers handed to `onHead` before its body
    /// is handed to `onChunk` piece by piece (an object's bytes; `HEAD` has none).
    public func download(
        _ method: HTTPMethod = .GET, _ path: String, onHead: (_ status: Int, _ headers: [String: String]) async throws -> Void,
        onChunk: ([UInt8]) async throws -> Void
    ) async throws(AdminClientError) {
        try await exchange(method, path, body: []) { head in
            var headers: [String: String] = [:]
            for (name, value) in head.headers { headers[name.lowercased()] = value }
            try await onHead(Int(head.status.code), headers)
        } onChunk: { chunk in
            try await onChunk(chunk)
        }
    }

    static func reason(_ error: any Error) -> String {
        if let io = error as? IOError { return String(cString: strerror(io.errnoCode)) }
        return String(describing: error)
    }
}
