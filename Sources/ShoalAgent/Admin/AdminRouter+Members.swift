import Foundation
public import Hummingbird
import NIOCore
import ServiceLifecycle

extension AdminAPI.Member: ResponseEncodable {}
extension AdminAPI.JoinResponse: ResponseEncodable {}
extension AdminAPI.Done: ResponseEncodable {}

extension AdminRouter {
    /// The most addresses one `POST /v1/join` may name. Joining through any one member is enough
    /// (gossip finds the rest); a few more cover seeds that are down. Each silent seed costs the
    /// agent a dial and a stream timeout, so the list is no place for a whole inventory.
    static let maximumJoinAddresses = 16

    /// `/v1/members`, `/v1/join`, `/v1/leave`, `/v1/force-leave` and `/v1/monitor`.
    static func addMembershipRoutes(
        to router: Router<BasicRequestContext>, table: inout RouteTable, membership: MembershipService
    ) {
        router.route(.get, "/v1/members", in: &table) { _, _ -> [AdminAPI.Member] in
            await membership.members()
        }
        router.route(.post, "/v1/join", in: &table) { request, _ -> AdminAPI.JoinResponse in
            // The join lasts only while its client waits: when the connection closes, the
            // operation is cancelled, and the cancellation reaches the membership join, which
            // stops dialling. `HTTPLimits.requestTimeout` bounds it when the client waits for good.
            try await request.body.consumeWithCancellationOnInboundClose { body in
                let join = try await decode(AdminAPI.JoinRequest.self, body)
                let seeds = try joinSeeds(join.addresses)
                let joined = await membership.join(seeds, register: false)
                try Task.checkCancellation()
                guard joined > 0 else {
                    throw HTTPError(.badGateway, message: "none of \(seeds.map(\.description).joined(separator: ", ")) answered")
                }
                return AdminAPI.JoinResponse(joined: joined)
            }
        }
        router.route(.post, "/v1/leave", in: &table) { _, _ -> AdminAPI.Done in
            await membership.leaveThenExit()
            return AdminAPI.Done(ok: true, message: "leaving the cluster; the agent exits once the leave has spread")
        }
        router.route(.post, "/v1/force-leave", in: &table) { request, _ -> AdminAPI.Done in
            let body = try await decode(AdminAPI.ForceLeaveRequest.self, request.body)
            guard await membership.forceLeave(name: body.name) else {
                throw HTTPError(
                    .notFound, message: "no failed or suspect member named '\(body.name)' (force-leave only removes failed members)")
            }
            return AdminAPI.Done(ok: true, message: "\(body.name) is marked left")
        }
        router.route(.get, "/v1/monitor", in: &table) { request, _ -> Response in
            let events = await membership.subscribe()
            return Response(
                status: .ok, headers: [.contentType: "application/x-ndjson"],
                body: ResponseBody { writer in
                    try await monitor(events, request: request, writer: &writer)
                })
        }
    }

    /// Writes `events` as JSON lines until the client hangs up or the server begins its graceful
    /// shutdown. The stream has no end of its own, and the server waits for every response to end
    /// before it stops: without this, one open `shoal monitor` kept SIGTERM from stopping the agent,
    /// and a monitor whose client had gone held its connection until the next event.
    static func monitor<Events: AsyncSequence & Sendable>(
        _ events: Events, request: Request, writer: inout any ResponseBodyWriter
    ) async throws where Events.Element == AdminAPI.MemberEvent, Events.Failure == Never {
        let (lines, sink) = AsyncStream.makeStream(of: ByteBuffer.self, bufferingPolicy: .bufferingNewest(1_024))
        do {
            try await request.body.consumeWithCancellationOnInboundClose { _ in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        let encoder = JSONEncoder()
                        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                        await cancelWhenGracefulShutdown {
                            for await event in events {
                                var data = (try? encoder.encode(event)) ?? Data()
                                data.append(UInt8(ascii: "\n"))
                                sink.yield(ByteBuffer(bytes: data))
                            }
                        }
                        sink.finish()
                    }
                    for await line in lines { try await writer.write(line) }
                    group.cancelAll()
                }
            }
        } catch is CancellationError {
            return  // the client hung up: nobody is left to read the end of the stream
        }
        try await writer.finish(nil)
    }

    /// The distinct seeds of a join request, in the order given.
    static func joinSeeds(_ addresses: [String]) throws -> [HostPort] {
        var seeds: [HostPort] = []
        for text in addresses {
            guard let seed = HostPort(parsing: text), seed.isIPAddress, seed.port > 0 else {
                throw HTTPError(
                    .badRequest,
                    message: "bad address '\(ConfigurationError.excerpt(text))': expected IP:PORT, such as 10.0.0.1:7946")
            }
            if !seeds.contains(seed) { seeds.append(seed) }
        }
        guard !seeds.isEmpty else { throw HTTPError(.badRequest, message: "give at least one address to join") }
        guard seeds.count <= maximumJoinAddresses else {
            throw HTTPError(
                .badRequest,
                message: "\(seeds.count) distinct addresses given; a join takes at most \(maximumJoinAddresses) "
                    + "(any one member is enough: gossip finds the rest)")
        }
        return seeds
    }

    /// Reads a JSON body of at most `HTTPLimits.adminSocket.maximumBodyBytes`.
    static func decode<T: Decodable>(_ type: T.Type, _ body: RequestBody) async throws -> T {
        let buffer = try await collect(body)
        do {
            return try JSONDecoder().decode(type, from: Data(buffer.readableBytesView))
        } catch {
            throw HTTPError(.badRequest, message: "the request body is not the expected JSON: \(error)")
        }
    }

    /// The whole body, refused with 413 past `HTTPLimits.adminSocket.maximumBodyBytes`.
    static func collect(_ body: RequestBody) async throws -> ByteBuffer {
        let limit = HTTPLimits.adminSocket.maximumBodyBytes
        do {
            return try await body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw HTTPError(.contentTooLarge, message: "the request body is over \(limit) bytes, the most accepted")
        }
    }
}
