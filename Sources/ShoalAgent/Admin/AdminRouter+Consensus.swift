import Foundation
public import Hummingbird
import NIOCore
import ShoalConsensus
import ShoalCrypto

extension AdminAPI.Leader: ResponseEncodable {}
extension AdminAPI.RaftPeers: ResponseEncodable {}
extension AdminAPI.KVPair: ResponseEncodable {}
extension AdminAPI.KVWrite: ResponseEncodable {}

extension AdminRouter {
    /// `/v1/leader`, `/v1/raft/peers`, `/v1/raft/transfer` and `/v1/kv`.
    static func addConsensusRoutes(
        to router: Router<BasicRequestContext>, table: inout RouteTable, consensus: ConsensusService, membership: MembershipService
    ) {
        router.route(.get, "/v1/leader", in: &table) { _, _ -> AdminAPI.Leader in
            let peers = try await answer { () async throws(KVFailure) in try await consensus.peers() }
            let id = ReplicaID(bytes: [UInt8](peers.leader))
            return AdminAPI.Leader(
                id: Hex.encode(peers.leader), name: id.flatMap { consensus.addresses.name(of: $0) } ?? "", term: peers.term,
                since: peers.leaderSince, leaseMilliseconds: Int(await consensus.lease / .milliseconds(1)),
                commitIndex: peers.commitIndex, role: await consensus.role)
        }
        router.route(.get, "/v1/raft/peers", in: &table) { _, _ -> AdminAPI.RaftPeers in
            let peers = try await answer { () async throws(KVFailure) in try await consensus.peers() }
            let inGroup = Set(peers.peers.map { Hex.encode($0.id) })
            var rows = peers.peers.map { peer in
                AdminAPI.RaftPeers.Peer(
                    id: Hex.encode(peer.id), name: ReplicaID(bytes: [UInt8](peer.id)).flatMap { consensus.addresses.name(of: $0) } ?? "",
                    role: peer.role, matchIndex: peer.matchIndex, recentlyActive: peer.recentlyActive,
                    lastContactMilliseconds: peer.hasLastContactMs ? peer.lastContactMs : nil)
            }
            for member in await membership.members() where member.status == "alive" && !inGroup.contains(member.id) {
                rows.append(AdminAPI.RaftPeers.Peer(id: member.id, name: member.name, role: "client", matchIndex: nil, recentlyActive: nil, lastContactMilliseconds: nil))
            }
            return AdminAPI.RaftPeers(leader: Hex.encode(peers.leader), term: peers.term, commitIndex: peers.commitIndex, peers: rows)
        }
        router.route(.post, "/v1/raft/transfer", in: &table) { request, _ -> AdminAPI.Done in
            let body = try await decode(AdminAPI.TransferRequest.self, request.body)
            var target: ReplicaID?
            if let name = body.name {
                guard let member = await membership.members().first(where: { $0.name == name }), let key = try? PublicKey(hex: member.id),
                    let id = ReplicaID(bytes: key.bytes)
                else {
                    throw HTTPError(.notFound, message: "no member named '\(name)'")
                }
                target = id
            }
            try await answer { () async throws(KVFailure) in try await consensus.transferLeadership(to: target) }
            return AdminAPI.Done(ok: true, message: "leadership is being handed to \(body.name ?? "the most up-to-date voter")")
        }
        router.route(.get, "/v1/kv", in: &table) { request, context -> Response in
            let prefix = request.uri.queryParameters["prefix"].map(String.init) ?? ""
            let stale = request.uri.queryParameters["stale"] != nil
            let watch = try watch(request)
            let reply = try await answer { () async throws(KVFailure) in
                try await consensus.perform(.read(key: prefix, list: true, stale: stale, watch: watch))
            }
            var response = try reply.pairs.map(AdminAPI.KVPair.init).response(from: request, context: context)
            response.headers[AdminAPI.indexHeader] = String(reply.index)
            return response
        }
        router.route(.get, "/v1/kv/**", in: &table) { request, context -> Response in
            let key = try kvKey(request)
            let stale = request.uri.queryParameters["stale"] != nil
            let watch = try watch(request)
            let reply = try await answer { () async throws(KVFailure) in
                try await consensus.perform(.read(key: key, list: false, stale: stale, watch: watch))
            }
            guard let pair = reply.pairs.first else {
                throw HTTPError(.notFound, headers: [AdminAPI.indexHeader: String(reply.index)], message: "no key '\(key)'")
            }
            var response: Response
            if request.uri.queryParameters["raw"] != nil {
                response = Response(
                    status: .ok, headers: [.contentType: "application/octet-stream"],
                    body: ResponseBody(byteBuffer: ByteBuffer(bytes: pair.value)))
            } else {
                response = try AdminAPI.KVPair(pair).response(from: request, context: context)
            }
            response.headers[AdminAPI.indexHeader] = String(reply.index)
            return response
        }
        router.route(.put, "/v1/kv/**", in: &table) { request, _ -> AdminAPI.KVWrite in
            let key = try kvKey(request)
            let cas = try casIndex(request)
            let limit = KeyValueStore.maximumValueBytes
            let value: ByteBuffer
            do {
                value = try await request.body.collect(upTo: limit)
            } catch is NIOTooManyBytesError {
                throw HTTPError(.contentTooLarge, message: "the value is over \(limit) bytes, the most a key holds")
            }
            let reply = try await answer { () async throws(KVFailure) in
                try await consensus.perform(.put(key: key, value: Array(value.readableBytesView), cas: cas))
            }
            return AdminAPI.KVWrite(index: reply.index, term: reply.term)
        }
        router.route(.delete, "/v1/kv/**", in: &table) { request, _ -> AdminAPI.KVWrite in
            let key = try kvKey(request)
            let cas = try casIndex(request)
            let reply = try await answer { () async throws(KVFailure) in try await consensus.perform(.delete(key: key, cas: cas)) }
            return AdminAPI.KVWrite(index: reply.index, term: reply.term)
        }
    }

    /// The key of `/v1/kv/{key}`: the rest of the path, percent-decoded (it may hold `/`).
    private static func kvKey(_ request: Request) throws -> String {
        let path = request.uri.path
        let raw = path.dropFirst("/v1/kv/".count)
        guard let key = String(raw).removingPercentEncoding else {
            throw HTTPError(.badRequest, message: "the key is not valid percent-encoded UTF-8")
        }
        return key
    }

    /// `?index=N[&wait=D]`: a blocking read that answers once the read's index is past N, or
    /// after D (default 5 minutes, at most 10); nil without `index`.
    static func watch(_ request: Request) throws -> KVWatch? {
        guard let text = request.uri.queryParameters["index"] else { return nil }
        guard let index = LogIndex(String(text)) else {
            throw HTTPError(.badRequest, message: "index must be a log index (a non-negative integer), not '\(text)'")
        }
        guard let waitText = request.uri.queryParameters["wait"] else { return KVWatch(index: index, wait: KVWatch.defaultWait) }
        guard let wait = AdminAPI.duration(String(waitText)) else {
            throw HTTPError(.badRequest, message: "wait must be a duration such as 500ms, 30s or 5m, not '\(waitText)'")
        }
        return KVWatch(index: index, wait: wait)
    }


    /// `?cas=N`: the modify index a write must match (0: the key must not exist).
    private static func casIndex(_ request: Request) throws -> LogIndex? {
        guard let text = request.uri.queryParameters["cas"] else { return nil }
        guard let index = LogIndex(String(text)) else {
            throw HTTPError(.badRequest, message: "cas must be a log index (a non-negative integer), not '\(text)'")
        }
        return index
    }

    /// Runs a consensus request, turning its failure into the HTTP status it stands for.
    static func answer<T: Sendable>(_ body: () async throws(KVFailure) -> T) async throws -> T {
        do throws(KVFailure) {
            return try await body()
        } catch {
            switch error {
            case .invalid: throw HTTPError(.badRequest, message: error.description)
            case .notFound: throw HTTPError(.notFound, message: error.description)
            case .casFailed: throw HTTPError(.conflict, message: error.description)
            case .unavailable, .indeterminate: throw HTTPError(.serviceUnavailable, message: error.description)
            }
        }
    }
}

extension AdminAPI {
    static let indexHeader = HTTPFields.Element.Name(AdminAPI.indexHeaderName)!
}

extension AdminAPI.KVPair {
    init(_ pair: KeyValueStore.Pair) {
        self.init(key: pair.key, value: Data(pair.value).base64EncodedString(), createIndex: pair.createIndex, modifyIndex: pair.modifyIndex)
    }
}
