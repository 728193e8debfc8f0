import Foundation
import ShoalCrypto
import ShoalMembership
import ShoalWire
import Testing

@testable import ShoalAgent

/// Datagrams carry an alive statement's certificate as its core (`NodeCertificate.core`): the
/// receiver rebuilds the rest from the statement and its own cluster's authority.
@Suite("datagrams carry certificate cores")
struct CertificateCoreWireTests {
    let authority = ClusterAuthority(signingKey: .generate())
    var authorityKey: [UInt8] { authority.publicKey.bytes }

    func alive(_ index: Int, certifiedBy issuer: ClusterAuthority? = nil) throws -> Statement {
        let key = SigningKey.generate()
        let name = "node-\(index)"
        let certificate = try (issuer ?? authority).issue(
            nodeKey: key.publicKey, name: name, expiresAt: UInt64(Date().timeIntervalSince1970) + 3_600, labels: ["zone": "a"])
        let metadata = MemberMetadata(
            name: name, address: MemberAddress(host: "10.0.0.\(index)", port: 7946), labels: ["zone": "a"],
            cpuMillis: 2_000, memoryBytes: 1 << 34, version: "0.1.0", certificate: certificate.encoded())
        return Statement.signed(
            subject: NodeID(bytes: key.publicKey.bytes), incarnation: 1, claim: .alive(metadata), by: Ed25519Authenticator(key: key))
    }

    @Test("an alive statement travels with its certificate's core and arrives equal, signature and certificate intact")
    func roundTrip() throws {
        let statement = try alive(1)
        let whole = WireMapping.encode(statement)
        let cored = WireMapping.encode(statement, authority: authorityKey)
        #expect(cored.alive.meta.certificate.isEmpty && !cored.alive.meta.certificateCore.isEmpty)
        let saved = PayloadCodec.encode(whole).count - PayloadCodec.encode(cored).count
        #expect(saved >= NodeCertificate.coreOmittedBytes, "only \(saved) bytes saved")
        let decoded = try WireMapping.decode(cored, authority: authorityKey)
        #expect(decoded == statement)
        #expect(Ed25519Authenticator(key: .generate()).verify(decoded.signature, of: decoded.canonicalBytes, by: decoded.subject))
        let certificate = try #require(decoded.metadata?.certificate)
        let cache = CertificateCache(authority: authority.publicKey)
        #expect(
            cache.expiry(of: certificate, for: decoded.subject, name: "node-1", now: UInt64(Date().timeIntervalSince1970)) != nil,
            "the rebuilt certificate verifies against the authority")
    }

    @Test("a core is refused where no authority rebuilds it and beside a whole certificate; a datagram leaves out a certificate without a core")
    func refusals() throws {
        let statement = try alive(2)
        let cored = WireMapping.encode(statement, authority: authorityKey)
        #expect(throws: WireError.self) { try WireMapping.decode(cored) }
        var both = cored
        both.alive.meta.certificate = Data([1, 2, 3])
        #expect(throws: WireError.self) { try WireMapping.decode(both, authority: authorityKey) }
        // Another authority's certificate has no core here; no member would take it, and whole
        // it would not fit the size packing counted, so the datagram goes without it.
        let foreign = try alive(3, certifiedBy: ClusterAuthority(signingKey: .generate()))
        let mixed = Datagram(messages: [.gossip(foreign), .gossip(statement), .join(foreign)])
        #expect(
            try WireMapping.decode(WireMapping.encode(mixed, authority: authorityKey), authority: authorityKey)
                == Datagram(messages: [.gossip(statement)]))
        #expect(try WireMapping.decode(WireMapping.encode(mixed)) == mixed, "without an authority everything travels whole")
        // Decoded for another cluster, the core rebuilds a certificate that cluster does not accept.
        let other = ClusterAuthority(signingKey: .generate())
        let misread = try WireMapping.decode(cored, authority: other.publicKey.bytes)
        #expect(
            CertificateCache(authority: other.publicKey).expiry(
                of: misread.metadata?.certificate ?? [], for: misread.subject, name: "node-2", now: 1) == nil)
    }

    /// The most alive statements one gossip round put in a datagram of `config`, after checking
    /// that every datagram, encoded as the agent sends it, fits the payload budget.
    func mostPerDatagram(_ config: MembershipConfig, statements: [Statement]) throws -> Int {
        let me = SigningKey.generate()
        var core = Membership(
            myself: NodeID(bytes: me.publicKey.bytes),
            metadata: MemberMetadata(name: "me", address: MemberAddress(host: "10.0.0.100", port: 7946)),
            incarnation: 1, config: config, authenticator: Ed25519Authenticator(key: me), randomSeed: 7, now: .zero)
        _ = core.receive(Datagram(messages: statements.map { .gossip($0) }), from: MemberAddress(host: "10.0.0.1", port: 7946), now: .zero)
        var most = 0
        for effect in core.tick(now: config.gossipInterval * 2) {
            guard case .send(let datagram, _, _) = effect else { continue }
            let payload = PayloadCodec.encode(WireMapping.encode(datagram, authority: authorityKey))
            #expect(payload.count <= config.maxPayloadBytes, "a \(payload.count)-byte datagram is over the budget")
            most = max(most, datagram.messages.filter { if case .gossip(let s) = $0 { s.metadata != nil } else { false } }.count)
        }
        return most
    }

    @Test("with cores, gossip packs more alive statements into a datagram, and every datagram still fits")
    func packing() throws {
        let statements = try (1...40).map { try alive($0) }
        var agent = MembershipConfig.lan
        agent.certificateBytesElided = NodeCertificate.coreOmittedBytes
        let whole = try mostPerDatagram(.lan, statements: statements)
        let cored = try mostPerDatagram(agent, statements: statements)
        #expect(whole >= 2, "\(whole) alive statements a datagram without cores")
        #expect(cored > whole, "\(cored) alive statements a datagram with cores, \(whole) without")
    }

    @Test("the core's size bound of a statement is never below what the agent sends, whole or with a core")
    func sizeBound() throws {
        var rng = SystemRandomNumberGenerator()
        func text(_ most: Int) -> String { String((0..<Int.random(in: 0...most, using: &rng)).map { _ in "aé€z".randomElement(using: &rng)! }) }
        for round in 0..<300 {
            let key = SigningKey.generate()
            func word(_ most: Int) -> String { String((0..<Int.random(in: 1...most, using: &rng)).map { _ in "ab9.-_".randomElement(using: &rng)! }) }
            let name = "n" + word(40)
            var labels: [String: String] = [:], certified: [String: String] = [:]
            for _ in 0..<Int.random(in: 0...6, using: &rng) { labels["k" + text(20)] = text(60) }
            for _ in 0..<Int.random(in: 0...4, using: &rng) { certified["k" + word(20)] = word(40) }
            let certificate = try authority.issue(
                nodeKey: key.publicKey, name: name, expiresAt: UInt64.random(in: 0 ... .max, using: &rng), labels: certified)
            let metadata = MemberMetadata(
                name: name, address: MemberAddress(host: text(60), port: UInt16.random(in: 0 ... .max, using: &rng)),
                labels: labels, cpuMillis: UInt32.random(in: 0 ... .max, using: &rng),
                memoryBytes: UInt64.random(in: 0 ... .max, using: &rng) >> UInt64.random(in: 0...63, using: &rng),
                version: text(20), certificate: certificate.encoded())
            let subject = NodeID(bytes: key.publicKey.bytes)
            let incarnation = UInt64.random(in: 0 ... .max, using: &rng) >> UInt64.random(in: 0...63, using: &rng)
            let statements = [
                Statement.signed(subject: subject, incarnation: incarnation, claim: .alive(metadata), by: Ed25519Authenticator(key: key)),
                Statement.signed(subject: subject, incarnation: incarnation, claim: .suspect(accuser: subject), by: Ed25519Authenticator(key: key)),
                Statement.signed(
                    subject: subject, incarnation: incarnation, claim: .dead(accuser: subject, left: round % 2 == 0),
                    by: Ed25519Authenticator(key: key)),
            ]
            for statement in statements {
                let whole = PayloadCodec.encode(WireMapping.encode(MembershipMessage.gossip(statement))).count
                let cored = PayloadCodec.encode(WireMapping.encode(MembershipMessage.gossip(statement), authority: authorityKey)).count
                #expect(whole <= statement.estimatedSize, "\(statement): \(whole) bytes, bound \(statement.estimatedSize)")
                #expect(
                    cored <= statement.estimatedSize(elidingCertificateBytes: NodeCertificate.coreOmittedBytes),
                    "\(statement) with a core: \(cored) bytes, bound \(statement.estimatedSize(elidingCertificateBytes: NodeCertificate.coreOmittedBytes))")
            }
        }
    }

    @Test("a datagram from anyone, decoded before its signature is checked, rebuilds at most twice its bytes plus 74 per statement")
    func rebuildBound() throws {
        // The cheapest alive statements a stranger can pack: 1-byte cores, 1-byte names and hosts.
        var wire = Shoal_Wire_V1_Datagram()
        var index = 0
        while true {
            var message = Shoal_Wire_V1_Message()
            message.gossip.alive.subject = Data((0..<32).map { UInt8(truncatingIfNeeded: index &+ $0) })
            message.gossip.alive.meta.name = "n"
            message.gossip.alive.meta.host = "h"
            message.gossip.alive.meta.port = 1
            message.gossip.alive.meta.certificateCore = Data([7])
            var next = wire
            next.messages.append(message)
            guard PayloadCodec.encode(next).count <= 1_400 else { break }
            wire = next
            index += 1
        }
        let payload = PayloadCodec.encode(wire).count
        let datagram = try WireMapping.decode(wire, authority: authorityKey)
        let count = datagram.messages.count
        let rebuilt = datagram.messages.reduce(0) { total, message in
            guard case .gossip(let statement) = message else { return total }
            return total + (statement.metadata?.certificate.count ?? 0)
        }
        #expect(count > 10 && count * 36 <= payload, "\(count) statements in \(payload) bytes")
        #expect(
            rebuilt <= 2 * payload + NodeCertificate.coreOmittedBytes * count,
            "\(count) statements in \(payload) bytes rebuilt \(rebuilt) bytes of certificates")
    }
}
