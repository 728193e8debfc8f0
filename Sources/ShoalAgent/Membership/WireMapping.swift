import Foundation
import ShoalCrypto
import ShoalMembership
import ShoalWire

/// Converts between the membership core's plain values and the protobuf schema.
///
/// Decoding never trusts its input: a message without a kind, an id of the wrong
/// length or a port out of range is a `WireError.malformedPayload`, and signatures are
/// checked by the core (against the canonical bytes it recomputes), not here.
enum WireMapping {
    typealias P = Shoal_Wire_V1_Message

    static let idLength = 32

    // MARK: Encoding

    /// A datagram's messages. With `authority` (this cluster's authority key), each alive
    /// statement carries only its certificate's core (`NodeCertificate.core`), which
    /// `decode(_:authority:)` rebuilds, and one whose certificate has no core for that authority
    /// (another authority's, or one for another key or name) is left out: no member of this
    /// cluster would take it, and sent whole it would overrun the size the core packed by
    /// (`MembershipConfig.certificateBytesElided`; found by fuzz-datagram).
    static func encode(_ datagram: Datagram, authority: [UInt8]? = nil) -> Shoal_Wire_V1_Datagram {
        var out = Shoal_Wire_V1_Datagram()
        out.messages = datagram.messages.compactMap { message in
            let encoded = encode(message, authority: authority)
            // Judged on the encoded message, so each certificate is split into its core once.
            return authority != nil && isAliveWithoutCore(encoded) ? nil : encoded
        }
        return out
    }

    /// Whether `message` holds no alive statement, or one whose certificate has a core for `authority`.
    static func carriesCore(_ message: MembershipMessage, authority: [UInt8]) -> Bool {
        !isAliveWithoutCore(encode(message, authority: authority))
    }

    /// An alive statement that went without a certificate core: encoded with an authority, one
    /// whose certificate has none for it (a core is never empty: it holds at least the signature).
    private static func isAliveWithoutCore(_ message: Shoal_Wire_V1_Message) -> Bool {
        switch message.kind {
        case .gossip(let statement)?, .join(let statement)?:
            guard case .alive(let alive)? = statement.kind else { return false }
            return alive.meta.certificateCore.isEmpty
        default:
            return false
        }
    }

    static func encode(_ message: MembershipMessage, authority: [UInt8]? = nil) -> Shoal_Wire_V1_Message {
        var out = Shoal_Wire_V1_Message()
        switch message {
        case .ping(let seq, let target, let from):
            out.ping.seq = seq
            out.ping.target = Data(target.bytes)
            out.ping.from = Data(from.bytes)
        case .ack(let seq, let from):
            out.ack.seq = seq
            out.ack.from = Data(from.bytes)
        case .pingReq(let seq, let target, let address, let from):
            out.pingReq.seq = seq
            out.pingReq.target = Data(target.bytes)
            out.pingReq.targetHost = address.host
            out.pingReq.targetPort = UInt32(address.port)
            out.pingReq.from = Data(from.bytes)
        case .nack(let seq, let from):
            out.nack.seq = seq
            out.nack.from = Data(from.bytes)
        case .gossip(let statement):
            out.gossip = encode(statement, authority: authority)
        case .join(let statement):
            out.join = encode(statement, authority: authority)
        }
        return out
    }

    static func encode(_ statement: Statement, authority: [UInt8]? = nil) -> Shoal_Wire_V1_Statement {
        var out = Shoal_Wire_V1_Statement()
        switch statement.claim {
        case .alive(let meta):
            out.alive.subject = Data(statement.subject.bytes)
            out.alive.incarnation = statement.incarnation
            out.alive.meta.name = meta.name
            out.alive.meta.host = meta.address.host
            out.alive.meta.port = UInt32(meta.address.port)
            out.alive.meta.labels = meta.labels
            out.alive.meta.cpuMillis = meta.cpuMillis
            out.alive.meta.memoryBytes = meta.memoryBytes
            out.alive.meta.version = meta.version
            if let authority,
                let core = NodeCertificate.core(
                    of: meta.certificate, nodeKey: statement.subject.bytes, name: meta.name, authorityKey: authority)
            {
                out.alive.meta.certificateCore = Data(core)
            } else {
                out.alive.meta.certificate = Data(meta.certificate)
            }
            out.alive.signature = Data(statement.signature)
        case .suspect(let accuser):
            out.suspect.subject = Data(statement.subject.bytes)
            out.suspect.incarnation = statement.incarnation
            out.suspect.accuser = Data(accuser.bytes)
            out.suspect.signature = Data(statement.signature)
        case .dead(let accuser, let left):
            out.dead.subject = Data(statement.subject.bytes)
            out.dead.incarnation = statement.incarnation
            out.dead.accuser = Data(accuser.bytes)
            out.dead.left = left
            out.dead.signature = Data(statement.signature)
        }
        return out
    }

    static func encode(_ state: PushPullState, isReply: Bool) -> Shoal_Wire_V1_PushPull {
        var out = Shoal_Wire_V1_PushPull()
        out.sender = encode(state.sender)
        out.isJoin = state.isJoin
        out.isReply = isReply
        out.entries = state.entries.map { entry in
            var e = Shoal_Wire_V1_PushPullEntry()
            e.alive = encode(entry.alive)
            if let accusation = entry.accusation { e.accusation = encode(accusation) }
            return e
        }
        return out
    }

    // MARK: Decoding

    /// A datagram's messages; a certificate core is rebuilt with `authority` (this cluster's
    /// authority key), and is malformed without one.
    static func decode(_ datagram: Shoal_Wire_V1_Datagram, authority: [UInt8]? = nil) throws(WireError) -> Datagram {
        var messages: [MembershipMessage] = []
        messages.reserveCapacity(datagram.messages.count)
        for message in datagram.messages { messages.append(try decode(message, authority: authority)) }
        return Datagram(messages: messages)
    }

    static func decode(_ message: Shoal_Wire_V1_Message, authority: [UInt8]? = nil) throws(WireError) -> MembershipMessage {
        switch message.kind {
        case .ping(let p): return .ping(seq: p.seq, target: try id(p.target), from: try id(p.from))
        case .ack(let a): return .ack(seq: a.seq, from: try id(a.from))
        case .pingReq(let r):
            return .pingReq(
                seq: r.seq, target: try id(r.target), targetAddress: try address(r.targetHost, r.targetPort),
                from: try id(r.from))
        case .nack(let n): return .nack(seq: n.seq, from: try id(n.from))
        case .gossip(let s): return .gossip(try decode(s, authority: authority))
        case .join(let s): return .join(try decode(s, authority: authority))
        case nil: throw .malformedPayload(reason: "message has no kind")
        }
    }

    static func decode(_ statement: Shoal_Wire_V1_Statement, authority: [UInt8]? = nil) throws(WireError) -> Statement {
        switch statement.kind {
        case .alive(let a):
            let subject = try id(a.subject)
            let certificate: [UInt8]
            if a.meta.certificateCore.isEmpty {
                certificate = Array(a.meta.certificate)
            } else {
                guard a.meta.certificate.isEmpty else {
                    throw .malformedPayload(reason: "alive statement carries a certificate and a certificate core")
                }
                guard let authority else {
                    throw .malformedPayload(reason: "a certificate core where only whole certificates are taken")
                }
                certificate = NodeCertificate.rebuild(
                    core: Array(a.meta.certificateCore), nodeKey: subject.bytes, name: a.meta.name, authorityKey: authority)
            }
            let meta = MemberMetadata(
                name: a.meta.name, address: try address(a.meta.host, a.meta.port), labels: a.meta.labels,
                cpuMillis: a.meta.cpuMillis, memoryBytes: a.meta.memoryBytes, version: a.meta.version,
                certificate: certificate)
            return Statement(
                subject: subject, incarnation: a.incarnation, claim: .alive(meta), signature: Array(a.signature))
        case .suspect(let s):
            return Statement(
                subject: try id(s.subject), incarnation: s.incarnation, claim: .suspect(accuser: try id(s.accuser)),
                signature: Array(s.signature))
        case .dead(let d):
            return Statement(
                subject: try id(d.subject), incarnation: d.incarnation,
                claim: .dead(accuser: try id(d.accuser), left: d.left), signature: Array(d.signature))
        case nil: throw .malformedPayload(reason: "statement has no kind")
        }
    }

    static func decode(_ pushPull: Shoal_Wire_V1_PushPull) throws(WireError) -> PushPullState {
        guard pushPull.hasSender else { throw .malformedPayload(reason: "push-pull without sender") }
        var entries: [PushPullEntry] = []
        entries.reserveCapacity(pushPull.entries.count)
        for entry in pushPull.entries {
            guard entry.hasAlive else { throw .malformedPayload(reason: "push-pull entry without alive") }
            entries.append(
                PushPullEntry(
                    alive: try decode(entry.alive), accusation: entry.hasAccusation ? try decode(entry.accusation) : nil))
        }
        return PushPullState(sender: try decode(pushPull.sender), entries: entries, isJoin: pushPull.isJoin)
    }

    static func id(_ data: Data) throws(WireError) -> NodeID {
        guard data.count == idLength else { throw .malformedPayload(reason: "node id of \(data.count) bytes") }
        return NodeID(bytes: Array(data))
    }

    static func address(_ host: String, _ port: UInt32) throws(WireError) -> MemberAddress {
        guard !host.isEmpty, host.utf8.count <= 255, port > 0, port <= 65_535 else {
            throw .malformedPayload(reason: "bad address \(host):\(port)")
        }
        return MemberAddress(host: host, port: UInt16(port))
    }
}
