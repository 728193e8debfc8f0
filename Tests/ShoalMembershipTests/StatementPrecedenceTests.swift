import Testing

@testable import ShoalMembership

/// SWIM §4.2 incarnation rules, as node 0 sees node 1 (known alive at incarnation 1).
@Suite("statement precedence")
struct StatementPrecedenceTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var statements: [Statement]
        var status: MemberStatus
        var incarnation: UInt64
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "a suspicion at the current incarnation wins over alive", statements: [Fixture.suspect(1, 1, by: 2)], status: .suspect, incarnation: 1),
        Case(name: "a suspicion about an older incarnation is ignored", statements: [Fixture.suspect(1, 0, by: 2)], status: .alive, incarnation: 1),
        Case(name: "a refutation with a higher incarnation clears the suspicion", statements: [Fixture.suspect(1, 1, by: 2), Fixture.alive(1, 2)], status: .alive, incarnation: 2),
        Case(name: "alive at the same incarnation does not clear a suspicion", statements: [Fixture.suspect(1, 1, by: 2), Fixture.alive(1, 1)], status: .suspect, incarnation: 1),
        Case(name: "dead at the same incarnation beats suspect", statements: [Fixture.suspect(1, 1, by: 2), Fixture.dead(1, 1, by: 3)], status: .dead, incarnation: 1),
        Case(name: "suspect at the same incarnation does not revive the dead", statements: [Fixture.dead(1, 1, by: 3), Fixture.suspect(1, 1, by: 2)], status: .dead, incarnation: 1),
        Case(name: "alive with a higher incarnation beats dead", statements: [Fixture.dead(1, 1, by: 3), Fixture.alive(1, 2)], status: .alive, incarnation: 2),
        Case(name: "a graceful leave is left, not dead", statements: [Fixture.dead(1, 1, by: 1, left: true)], status: .left, incarnation: 1),
        Case(name: "a stale alive does not undo a leave", statements: [Fixture.dead(1, 1, by: 1, left: true), Fixture.alive(1, 1)], status: .left, incarnation: 1),
    ]

    @Test("precedence", arguments: cases)
    func precedence(_ testCase: Case) {
        var node = Fixture.node(peers: 3)
        _ = node.receive(Datagram(messages: testCase.statements.map { .gossip($0) }), from: Fixture.address(2), now: .seconds(1))
        let seen = node.member(Fixture.id(1))
        #expect(seen?.status == testCase.status && seen?.incarnation == testCase.incarnation)
    }

    @Test("a statement signed by anyone but its rightful signer is rejected and counted", arguments: [
        Statement.signed(subject: Fixture.id(1), incarnation: 9, claim: .alive(Fixture.metadata(1)), by: Fixture.signer(2)),
        Statement.signed(subject: Fixture.id(1), incarnation: 9, claim: .suspect(accuser: Fixture.id(3)), by: Fixture.signer(2)),
        Statement.signed(subject: Fixture.id(1), incarnation: 9, claim: .dead(accuser: Fixture.id(3), left: false), by: Fixture.signer(2)),
        Statement(subject: Fixture.id(1), incarnation: 9, claim: .alive(Fixture.metadata(1)), signature: [1, 2, 3]),
    ])
    func forgeryRejected(_ forged: Statement) {
        var node = Fixture.node(peers: 3)
        _ = node.receive(Datagram(messages: [.gossip(forged)]), from: Fixture.address(2), now: .seconds(1))
        #expect(node.counters.rejectedStatements == 1 && node.member(Fixture.id(1))?.incarnation == 1)
    }

    @Test("canonical bytes are independent of label insertion order")
    func canonicalBytesAreDeterministic() {
        var first = Fixture.metadata(1)
        first.labels = ["a": "1", "b": "2", "c": "3"]
        var second = first
        second.labels = [:]
        for key in ["c", "a", "b"] { second.labels[key] = first.labels[key] }
        #expect(
            Statement.canonicalBytes(subject: Fixture.id(1), incarnation: 3, claim: .alive(first))
                == Statement.canonicalBytes(subject: Fixture.id(1), incarnation: 3, claim: .alive(second)))
    }
}
