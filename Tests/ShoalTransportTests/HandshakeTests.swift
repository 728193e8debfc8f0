import ShoalCrypto
import Testing

@testable import ShoalTransport

/// The handshake as a pure state machine: who is admitted, and what any change to its bytes does.
@Suite("transport handshake")
struct HandshakeTests {
    let authority = ClusterAuthority(signingKey: .generate())

    @Test("two certified nodes agree on keys, identities and the protocol")
    func agree() throws {
        let a = try TestNode(name: "a", authority: authority), b = try TestNode(name: "b", authority: authority)
        var (initiator, responder) = handshakes(a.identity, b.identity)
        let (i, r) = try complete(&initiator, &responder)
        #expect(i.peer.key == b.key.publicKey && r.peer.key == a.key.publicKey)
        #expect(i.peer.name == "b" && r.peer.name == "a")
        #expect(r.protocolName == .membership)
        #expect(i.handshakeHash == r.handshakeHash)
        #expect(i.sendKey == r.receiveKey && i.receiveKey == r.sendKey)
        #expect(i.cipher == .aes256GCM)
    }

    @Test("a node of another authority is refused by its certificate, even with this cluster's id")
    func otherAuthorityRefused() throws {
        let other = ClusterAuthority(signingKey: .generate())
        let cluster = ClusterID(authority: authority.publicKey)
        let member = try TestNode(name: "member", authority: authority)
        // The intruder's certificate is from `other`, but it speaks this cluster's id, so only the
        // certificate check can refuse it.
        let intruder = try TestNode(name: "intruder", authority: other, cluster: cluster)
        // It even trusts this cluster's authority, so it goes on to present its certificate.
        var (initiator, responder) = handshakes(intruder.trusting(authority.publicKey, cluster: cluster), member.identity)
        #expect(throws: HandshakeError.uncertified("certificate for intruder was not signed by this cluster's authority; issue one with the configured authority key")) {
            _ = try complete(&initiator, &responder)
        }
        // And the other way round: a member dialling a listener certified by another authority
        // refuses it at message 2, before revealing its own identity.
        var (dialler, fake) = handshakes(member.identity, intruder.identity)
        let first = try dialler.start()
        guard case .send(let second) = try fake.receive(first) else { Issue.record("no message 2"); return }
        #expect(throws: HandshakeError.self) { _ = try dialler.receive(second) }
    }

    @Test("an expired certificate is refused")
    func expired() throws {
        let a = try TestNode(name: "a", authority: authority, expiresAt: now - 1)
        let b = try TestNode(name: "b", authority: authority)
        var (initiator, responder) = handshakes(a.identity, b.identity)
        #expect(throws: HandshakeError.expired(name: "a")) { _ = try complete(&initiator, &responder) }
    }

    @Test("a peer of another cluster id fails message 2's authentication")
    func otherCluster() throws {
        let a = try TestNode(name: "a", authority: authority)
        let b = try TestNode(name: "b", authority: authority, cluster: try ClusterID(bytes: [1, 2, 3, 4, 5, 6, 7, 8]))
        var (initiator, responder) = handshakes(a.identity, b.identity)
        #expect(throws: HandshakeError.decryptionFailed) { _ = try complete(&initiator, &responder) }
    }

    @Test("a protocol nobody registered is refused")
    func unknownProtocol() throws {
        let a = try TestNode(name: "a", authority: authority), b = try TestNode(name: "b", authority: authority)
        var (initiator, responder) = handshakes(a.identity, b.identity, asking: .raft, accepting: [.membership])
        #expect(throws: HandshakeError.unknownProtocol("raft/1")) { _ = try complete(&initiator, &responder) }
    }

    @Test("a recorded handshake replayed to a fresh responder does not complete")
    func replay() throws {
        let a = try TestNode(name: "a", authority: authority), b = try TestNode(name: "b", authority: authority)
        var (initiator, responder) = handshakes(a.identity, b.identity)
        let first = try initiator.start()
        guard case .send(let second) = try responder.receive(first),
            case .sendAndEstablish(let third, _) = try initiator.receive(second)
        else { Issue.record("handshake did not progress"); return }
        // An eavesdropper replays messages 1 and 3 to b: b's new ephemeral key changes every key after message 1.
        var (_, fresh) = handshakes(a.identity, b.identity)
        _ = try fresh.receive(first)
        #expect(throws: HandshakeError.decryptionFailed) { _ = try fresh.receive(third) }
    }

    @Test("message 3 of one handshake cannot finish another (a protocol cannot be swapped in)")
    func redirect() throws {
        let a = try TestNode(name: "a", authority: authority), b = try TestNode(name: "b", authority: authority)
        var (raftInitiator, responder1) = handshakes(a.identity, b.identity, asking: .raft, accepting: [.raft, .membership])
        var (membershipInitiator, responder2) = handshakes(a.identity, b.identity, asking: .membership, accepting: [.raft, .membership])
        guard case .send(let second1) = try responder1.receive(try raftInitiator.start()),
            case .send(let second2) = try responder2.receive(try membershipInitiator.start()),
            case .sendAndEstablish(let third1, _) = try raftInitiator.receive(second1),
            case .sendAndEstablish(_, _) = try membershipInitiator.receive(second2)
        else { Issue.record("handshakes did not progress"); return }
        #expect(throws: HandshakeError.decryptionFailed) { _ = try responder2.receive(third1) }
    }

    @Test("any flipped bit in any handshake message is refused", arguments: 0..<3)
    func bitFlip(message: Int) throws {
        let a = try TestNode(name: "a", authority: authority), b = try TestNode(name: "b", authority: authority)
        var (initiator, responder) = handshakes(a.identity, b.identity)
        var first = try initiator.start()
        if message == 0 { first[first.count - 1] ^= 1 }
        // Message 1's payload is in the clear: a flip there surfaces as a bad version, or as a
        // hash mismatch in message 2.
        guard case .send(var second) = try? responder.receive(first) else {
            #expect(message == 0, "an untouched message 1 must be accepted")
            return
        }
        if message == 1 { second[40] ^= 0x10 }
        guard case .sendAndEstablish(var third, _)? = try? initiator.receive(second) else {
            #expect(message != 2, "an untouched message 2 must be accepted")
            return
        }
        if message == 2 { third[third.count - 1] ^= 0x80 }
        #expect(throws: HandshakeError.self) { _ = try responder.receive(third) }
    }

    @Test("truncated handshake messages are refused with a typed error", arguments: [0, 1, 31, 32, 47, 80, 120])
    func truncated(length: Int) throws {
        let a = try TestNode(name: "a", authority: authority), b = try TestNode(name: "b", authority: authority)
        var (initiator, responder) = handshakes(a.identity, b.identity)
        guard case .send(let second) = try responder.receive(try initiator.start()) else { Issue.record("no message 2"); return }
        #expect(throws: HandshakeError.self) { _ = try initiator.receive(Array(second.prefix(length))) }
    }
}
