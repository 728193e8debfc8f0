import Foundation
public import Hummingbird

extension AdminAPI.Member: ResponseEncodable {}
extension AdminAPI.JoinResponse: ResponseEncodable {}
extension AdminAPI.Done: ResponseEncodable {}

extension AdminRouter {
    /// `/v1/members`, `/v1/join`, `/v1/leave`, `/v1/force-leave` and `/v1/monitor`.
    static func addMembershipRoutes(to router: Router<BasicRequestContext>, membership: MembershipService) {
        router.get("/v1/members") { _, _ -> [AdminAPI.Member] in
            await membership.members()
        }
        router.post("/v1/join") { request, context -> AdminAPI.JoinResponse in
            let body = try await decode(AdminAPI.JoinRequest.self, request, context)
            var seeds: [HostPort] = []
            for text in body.addresses {
                guard let seed = HostPort(parsing: text), seed.isIPAddress, seed.port > 0 else {
                    throw HTTPError(.badRequest, message: "bad address '\(text)': expected IP:PORT, such as 10.0.0.1:7946")
                }
                seeds.append(seed)
            }
            guard !seeds.isEmpty else { throw HTTPError(.badRequest, message: "give at least one address to join") }
            let joined = await membership.join(seeds, register: false)
            guard joined > 0 else {
                throw HTTPError(.badGateway, message: "none of \(body.addresses.joined(separator: ", ")) answered")
            }
            return AdminAPI.JoinResponse(joined: joined)
        }
        router.post("/v1/leave") { _, _ -> AdminAPI.Done in
            await membership.leaveThenExit()
            return AdminAPI.Done(ok: true, message: "leaving the cluster; the agent exits once the leave has spread")
        }
        router.post("/v1/force-leave") { request, context -> AdminAPI.Done in
            let body = try await decode(AdminAPI.ForceLeaveRequest.self, request, context)
            guard await membership.forceLeave(name: body.name) else {
                throw HTTPError(
                    .notFound, message: "no failed or suspect member named '\(body.name)' (force-leave only removes failed members)")
            }
            return AdminAPI.Done(ok: true, message: "\(body.name) is marked left")
        }
        router.get("/v1/monitor") { _, _ -> Response in
            let events = await membership.subscribe()
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let lines = events.map { event -> ByteBuffer in
                var data = (try? encoder.encode(event)) ?? Data()
                data.append(UInt8(ascii: "\n"))
                return ByteBuffer(bytes: data)
            }
            return Response(
                status: .ok, headers: [.contentType: "application/x-ndjson"],
                body: ResponseBody(asyncSequence: lines))
        }
    }

    private static func decode<T: Decodable>(_ type: T.Type, _ request: Request, _ context: BasicRequestContext)
        async throws -> T
    {
        do {
            return try await request.decode(as: type, context: context)
        } catch {
            throw HTTPError(.badRequest, message: "the request body is not the expected JSON: \(error)")
        }
    }
}
