import ShoalCrypto
import ShoalMembership
import Testing

@testable import ShoalAgent

/// The agent's gate in front of the core: statements pass on their own proof, whoever relays
/// them; a sender's own messages pass once its certificate is known.
@Suite("certificate gate")
struct CertificateGateTests {
    struct Node {
        let key = SigningKey.generate()
        var id: NodeID { NodeID(bytes: key.publicKey.bytes) }
        var signer: Ed25519Authenticator { Ed25519Authenticator(key: key) }

        func alive(_ name: String, certifiedBy authority: ClusterAuthority?) throws -> Statement {
            let certificate = try authority?.issue(nodeKey: key.publicKey, name: name, expiresAt: UInt64.max / 2).encoded() ?? []
            let metadata = MemberMetadata(
                name: name, address: MemberAddress(host: "127.0.0.9", port: 7946), certificate: certificate)
            return Statement.signed(subject: id, incarnation: 1, claim: .alive(metadata), by: signer)
        }

        func suspect(_ subject: NodeID) -> Statement {
            Statement.signed(subject: subject, incarnation: 1, claim: .suspect(accuser: id), by: signer)
        }
    }

    let authority = ClusterAuthority(signingKey: .generate())
    let me = Node()
    let now = UInt64(1_800_000_000)

    func gate() -> CertificateGate { CertificateGate(authority: authority.publicKey, myself: me.id) }

    @Test("a stranger's certified statements pass, its ping does not")
    func strangerRelaysButCannotProbe() throws {
        var gate = gate()
        let stranger = Node(), member = Node()
        let memberAlive = try member.alive("member", certifiedBy: authority)
        let ping = MembershipMessage.ping(seq: 1, target: me.id, from: stranger.id)
        let admitted = gate.filter(Datagram(messages: [ping, .gossip(memberAlive)]), from: stranger.id, now: now)
        #expect(admitted.datagram.messages == [.gossip(memberAlive)])
        #expect(admitted.refusedMessages == 1)
        #expect(admitted.refusedStatements == 0)
        #expect(gate.isCertified(member.id))
        #expect(!gate.isCertified(stranger.id))
    }

    @Test("a datagram carrying its sender's own certified alive statement introduces the sender")
    func senderIntroducesItself() throws {
        var gate = gate()
        let joiner = Node()
        // The ping comes first in the datagram: the gate checks statements before the rest.
        let messages: [MembershipMessage] = [
            .ping(seq: 7, target: me.id, from: joiner.id), .gossip(try joiner.alive("joiner", certifiedBy: authority)),
        ]
        let admitted = gate.filter(Datagram(messages: messages), from: joiner.id, now: now)
        #expect(admitted.datagram.messages == messages)
        #expect(admitted.refusedMessages == 0)
        #expect(gate.isCertified(joiner.id))
    }

    @Test("alive statements without a certificate of this authority are refused, and introduce no one")
    func uncertifiedAliveRefused() throws {
        var gate = gate()
        let intruder = Node()
        for alive in [try intruder.alive("intruder", certifiedBy: nil), try intruder.alive("intruder", certifiedBy: ClusterAuthority(signingKey: .generate()))] {
            let admitted = gate.filter(
                Datagram(messages: [.gossip(alive), .ping(seq: 1, target: me.id, from: intruder.id)]), from: intruder.id, now: now)
            #expect(admitted.datagram.messages.isEmpty)
            #expect(admitted.refusedStatements == 1 && admitted.refusedMessages == 1)
        }
        #expect(!gate.isCertified(intruder.id))
    }

    @Test("an accusation passes only when its subject and its accuser are both certified")
    func accusationsNeedCertifiedAccuser() throws {
        var gate = gate()
        let member = Node(), accuser = Node(), relay = Node()
        _ = gate.filter(Datagram(messages: [.gossip(try member.alive("member", certifiedBy: authority))]), from: member.id, now: now)
        let accusation = accuser.suspect(member.id)
        let early = gate.filter(Datagram(messages: [.gossip(accusation)]), from: relay.id, now: now)
        #expect(early.datagram.messages.isEmpty && early.refusedStatements == 1)
        _ = gate.filter(Datagram(messages: [.gossip(try accuser.alive("accuser", certifiedBy: authority))]), from: accuser.id, now: now)
        let later = gate.filter(Datagram(messages: [.gossip(accusation)]), from: relay.id, now: now)
        #expect(later.datagram.messages == [.gossip(accusation)])
    }

    @Test("a ping, probe request or nack naming someone other than its signer is refused")
    func impersonationRefused() throws {
        var gate = gate()
        let member = Node(), victim = Node()
        let messages: [MembershipMessage] = [
            .ping(seq: 1, target: me.id, from: victim.id),
            .pingReq(seq: 2, target: victim.id, targetAddress: MemberAddress(host: "127.0.0.8", port: 1), from: victim.id),
            .nack(seq: 3, from: victim.id),
        ]
        _ = gate.filter(Datagram(messages: [.gossip(try member.alive("member", certifiedBy: authority))]), from: member.id, now: now)
        let admitted = gate.filter(Datagram(messages: messages), from: member.id, now: now)
        #expect(admitted.datagram.messages.isEmpty)
        #expect(admitted.impersonations == 3)
    }
}
