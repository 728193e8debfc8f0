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

        func alive(
            _ name: String, certifiedBy authority: ClusterAuthority?, expiresAt: UInt64 = UInt64.max / 2, incarnation: UInt64 = 1
        ) throws -> Statement {
            let certificate = try authority?.issue(nodeKey: key.publicKey, name: name, expiresAt: expiresAt).encoded() ?? []
            let metadata = MemberMetadata(
                name: name, address: MemberAddress(host: "127.0.0.9", port: 7946), certificate: certificate)
            return Statement.signed(subject: id, incarnation: incarnation, claim: .alive(metadata), by: signer)
        }

        func suspect(_ subject: NodeID, incarnation: UInt64 = 1) -> Statement {
            Statement.signed(subject: subject, incarnation: incarnation, claim: .suspect(accuser: id), by: signer)
        }

        func dead(_ subject: NodeID, incarnation: UInt64 = 1) -> Statement {
            Statement.signed(subject: subject, incarnation: incarnation, claim: .dead(accuser: id, left: false), by: signer)
        }

        func ping(_ target: NodeID, seq: UInt64 = 1) -> MembershipMessage { .ping(seq: seq, target: target, from: id) }
    }

    let authority = ClusterAuthority(signingKey: .generate())
    let me = Node()
    let now = UInt64(1_800_000_000)

    func gate(capacity: Int = CertificateGate<CertificateCache>.defaultCapacity) -> CertificateGate<CertificateCache> {
        CertificateGate(authority: authority.publicKey, myself: me.id, capacity: capacity)
    }

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
        #expect(gate.isCertified(member.id, now: now))
        #expect(!gate.isCertified(stranger.id, now: now))
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
        #expect(gate.isCertified(joiner.id, now: now))
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
        #expect(!gate.isCertified(intruder.id, now: now))
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

    @Test("a member whose certificate expires is refused afterwards, its pings and its statements")
    func expiredMemberRefused() throws {
        var gate = gate()
        let member = Node(), other = Node()
        let alive = try member.alive("member", certifiedBy: authority, expiresAt: now + 10)
        _ = gate.filter(Datagram(messages: [.gossip(try other.alive("other", certifiedBy: authority))]), from: other.id, now: now)
        let before = gate.filter(Datagram(messages: [.gossip(alive), member.ping(me.id)]), from: member.id, now: now)
        #expect(before.datagram.messages.count == 2, "admitted while its certificate lasts")
        let later = Datagram(messages: [.gossip(alive), .gossip(member.suspect(other.id)), member.ping(me.id, seq: 2)])
        let after = gate.filter(later, from: member.id, now: now + 10)
        #expect(after.datagram.messages.isEmpty, "\(after.datagram.messages)")
        #expect(after.refusedStatements == 2 && after.refusedMessages == 1)
        #expect(!gate.isCertified(member.id, now: now + 10))
    }

    @Test("accusations about a member whose certificate expired still pass, so it can be declared failed")
    func expiredMemberCanBeAccused() throws {
        var gate = gate()
        let member = Node(), accuser = Node()
        _ = gate.filter(Datagram(messages: [.gossip(try member.alive("member", certifiedBy: authority, expiresAt: now + 10))]), from: member.id, now: now)
        _ = gate.filter(Datagram(messages: [.gossip(try accuser.alive("accuser", certifiedBy: authority))]), from: accuser.id, now: now)
        let accusation = accuser.suspect(member.id)
        #expect(gate.filter(Datagram(messages: [.gossip(accusation)]), from: accuser.id, now: now + 60).datagram.messages == [.gossip(accusation)])
    }

    @Test("a renewed certificate in a newer alive statement admits the member again, an old one does not")
    func renewedCertificateReadmits() throws {
        var gate = gate()
        let member = Node()
        let first = try member.alive("member", certifiedBy: authority, expiresAt: now + 10, incarnation: 1)
        _ = gate.filter(Datagram(messages: [.gossip(first)]), from: member.id, now: now)
        let replayed = gate.filter(Datagram(messages: [.gossip(first), member.ping(me.id)]), from: member.id, now: now + 20)
        #expect(replayed.datagram.messages.isEmpty, "the expired certificate must not admit it again")
        let renewed = try member.alive("member", certifiedBy: authority, expiresAt: now + 1_000, incarnation: 2)
        let back = gate.filter(Datagram(messages: [.gossip(renewed), member.ping(me.id, seq: 2)]), from: member.id, now: now + 20)
        #expect(back.datagram.messages == [.gossip(renewed), member.ping(me.id, seq: 2)])
        #expect(gate.isCertified(member.id, now: now + 999))
    }

    @Test("a certificate renewed before the old one expires is taken from the newer incarnation")
    func earlyRenewalTaken() throws {
        var gate = gate()
        let member = Node()
        _ = gate.filter(Datagram(messages: [.gossip(try member.alive("member", certifiedBy: authority, expiresAt: now + 10))]), from: member.id, now: now)
        let renewed = try member.alive("member", certifiedBy: authority, expiresAt: now + 1_000, incarnation: 2)
        _ = gate.filter(Datagram(messages: [.gossip(renewed)]), from: member.id, now: now + 5)
        #expect(gate.isCertified(member.id, now: now + 500))
    }

    @Test("a reaped member is forgotten: accusations about it no longer pass, and only a valid certificate brings it back")
    func reapedMemberForgotten() throws {
        var gate = gate()
        let member = Node(), accuser = Node()
        let alive = try member.alive("member", certifiedBy: authority)
        _ = gate.filter(Datagram(messages: [.gossip(alive), .gossip(try accuser.alive("accuser", certifiedBy: authority))]), from: member.id, now: now)
        gate.forget(member.id)
        #expect(!gate.isCertified(member.id, now: now))
        #expect(gate.admissions[member.id] == nil)
        #expect(gate.filter(Datagram(messages: [.gossip(accuser.suspect(member.id))]), from: accuser.id, now: now).refusedStatements == 1)
        _ = gate.filter(Datagram(messages: [.gossip(alive)]), from: member.id, now: now)
        #expect(gate.isCertified(member.id, now: now))
    }

    @Test("the gate holds at most its capacity; expired admissions make room, unexpired ones are kept")
    func bounded() throws {
        var gate = gate(capacity: 3)
        let short = Node(), long = (0..<2).map { _ in Node() }, late = Node(), later = Node()
        _ = gate.filter(Datagram(messages: [.gossip(try short.alive("short", certifiedBy: authority, expiresAt: now + 10))]), from: short.id, now: now)
        for (index, node) in long.enumerated() {
            _ = gate.filter(Datagram(messages: [.gossip(try node.alive("long-\(index)", certifiedBy: authority))]), from: node.id, now: now)
        }
        #expect(gate.admissions.count == 3)
        _ = gate.filter(Datagram(messages: [.gossip(try late.alive("late", certifiedBy: authority))]), from: late.id, now: now + 5)
        #expect(!gate.isCertified(late.id, now: now + 5), "full, and no admission has expired")
        _ = gate.filter(Datagram(messages: [.gossip(try late.alive("late", certifiedBy: authority))]), from: late.id, now: now + 10)
        #expect(gate.isCertified(late.id, now: now + 10), "the expired admission made room")
        _ = gate.filter(Datagram(messages: [.gossip(try later.alive("later", certifiedBy: authority))]), from: later.id, now: now + 10)
        #expect(gate.admissions.count == 3)
        #expect(long.allSatisfy { gate.isCertified($0.id, now: now + 10) })
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

    @Test("a push-pull entry whose accusation has an uncertified accuser is dropped whole; a certified one passes, whatever its place")
    func pushPullAccusationsNeedCertifiedAccuser() throws {
        var gate = gate()
        let sender = Node(), member = Node(), tombstone = Node(), accuser = Node(), stranger = Node()
        let senderAlive = try sender.alive("sender", certifiedBy: authority)
        let memberAlive = try member.alive("member", certifiedBy: authority)
        let tombstoneAlive = try tombstone.alive("tombstone", certifiedBy: authority)
        // The stranger signs validly but holds no certificate of this authority.
        let forged = PushPullState(
            sender: senderAlive,
            entries: [
                PushPullEntry(alive: memberAlive, accusation: stranger.suspect(member.id)),
                PushPullEntry(alive: tombstoneAlive, accusation: stranger.dead(tombstone.id)),
            ], isJoin: false)
        let filtered = gate.filter(forged, now: now)
        let refused = try #require(filtered)
        // Neither entry survives, not even as the alive member it would turn into.
        #expect(refused.state.entries.isEmpty)
        #expect(refused.refusedAccusations == 2 && refused.refusedEntries == 0)
        #expect(refused.state.sender == senderAlive)

        // The accuser's own certified entry comes after its accusations: it still counts.
        let real = PushPullState(
            sender: senderAlive,
            entries: [
                PushPullEntry(alive: tombstoneAlive, accusation: accuser.dead(tombstone.id)),
                PushPullEntry(alive: memberAlive, accusation: nil),
                PushPullEntry(alive: try accuser.alive("accuser", certifiedBy: authority), accusation: nil),
            ], isJoin: false)
        let filteredReal = gate.filter(real, now: now)
        let admitted = try #require(filteredReal)
        #expect(admitted.state.entries == real.entries)
        #expect(admitted.refusedAccusations == 0)
    }

    @Test("a push-pull from an uncertified sender is refused; entries without a valid certificate are dropped")
    func pushPullUncertified() throws {
        var gate = gate()
        let sender = Node(), member = Node(), intruder = Node()
        let intruderAlive = try intruder.alive("intruder", certifiedBy: nil)
        #expect(gate.filter(PushPullState(sender: intruderAlive, entries: [], isJoin: true), now: now) == nil)
        let state = PushPullState(
            sender: try sender.alive("sender", certifiedBy: authority),
            entries: [
                PushPullEntry(alive: intruderAlive, accusation: nil),
                PushPullEntry(alive: try member.alive("member", certifiedBy: authority), accusation: nil),
            ], isJoin: false)
        let filteredState = gate.filter(state, now: now)
        let admitted = try #require(filteredState)
        #expect(admitted.state.entries.map(\.alive.subject) == [member.id])
        #expect(admitted.refusedEntries == 1)
    }
}
