import Testing

@testable import ShoalMembership

/// `isRedundant` lets the shell drop a datagram before its envelope's signature check, so it
/// must never call redundant what `receive` would act on.
@Suite("redundant gossip")
struct RedundancyTests {
    static let myself = Fixture.id(0)

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var messages: [MembershipMessage]
        var redundant: Bool
        var testDescription: String { name }
    }

    /// As node 0 sees them, knowing nodes 1-5 alive at incarnation 1 (enough for a suspicion to want confirmations) and node 2 suspected by 3.
    static let cases: [Case] = [
        Case(name: "alive statements it already has", messages: [.gossip(Fixture.alive(1, 1)), .gossip(Fixture.alive(3, 1))], redundant: true),
        Case(name: "an older alive and the suspicion it holds", messages: [.gossip(Fixture.alive(1, 0)), .gossip(Fixture.suspect(2, 1, by: 3))], redundant: true),
        Case(name: "nothing at all", messages: [], redundant: true),
        Case(name: "a new member among old news", messages: [.gossip(Fixture.alive(1, 1)), .gossip(Fixture.alive(7, 1))], redundant: false),
        Case(name: "a higher incarnation", messages: [.gossip(Fixture.alive(1, 2))], redundant: false),
        Case(name: "a new suspicion", messages: [.gossip(Fixture.suspect(1, 1, by: 2))], redundant: false),
        Case(name: "another accuser confirming a suspicion", messages: [.gossip(Fixture.suspect(2, 1, by: 1))], redundant: false),
        Case(name: "a death", messages: [.gossip(Fixture.dead(3, 1, by: 1))], redundant: false),
        Case(name: "a statement about this node, even an old one", messages: [.gossip(Fixture.alive(0, 1))], redundant: false),
        Case(name: "an accusation of this node", messages: [.gossip(Fixture.suspect(0, 1, by: 1))], redundant: false),
        Case(name: "a ping with old news", messages: [.gossip(Fixture.alive(1, 1)), .ping(seq: 1, target: myself, from: Fixture.id(1))], redundant: false),
        Case(name: "an ack", messages: [.ack(seq: 1, from: Fixture.id(1))], redundant: false),
        Case(name: "a nack", messages: [.nack(seq: 1, from: Fixture.id(1))], redundant: false),
        Case(name: "a probe request", messages: [.pingReq(seq: 1, target: Fixture.id(2), targetAddress: Fixture.address(2), from: Fixture.id(1))], redundant: false),
        Case(name: "a join of a known member", messages: [.join(Fixture.alive(1, 1))], redundant: false),
    ]

    static func node() -> Membership {
        var node = Fixture.node(peers: 5)
        _ = node.receive(Datagram(messages: [.gossip(Fixture.suspect(2, 1, by: 3))]), from: Fixture.address(3), now: .zero)
        return node
    }

    @Test("called redundant as the table says, and never when receiving it would change something", arguments: cases)
    func redundancy(_ testCase: Case) {
        var node = Self.node()
        let datagram = Datagram(messages: testCase.messages)
        #expect(node.isRedundant(datagram) == testCase.redundant)
        let before = (1...7).map { node.member(Fixture.id($0)) }
        let applied = node.counters.appliedStatements
        let effects = node.receive(datagram, from: Fixture.address(1), now: .seconds(1))
        let changed = !effects.isEmpty || node.counters.appliedStatements != applied || (1...7).map { node.member(Fixture.id($0)) } != before
        if testCase.redundant { #expect(!changed, "a datagram called redundant changed the node: \(effects)") }
    }

    @Test("news once taken is redundant the next time it comes")
    func staysRedundant() {
        var node = Self.node()
        let news = Datagram(messages: [.gossip(Fixture.alive(7, 1))])
        #expect(!node.isRedundant(news))
        _ = node.receive(news, from: Fixture.address(1), now: .seconds(1))
        #expect(node.isRedundant(news), "once taken, the same statement is old news")
    }
}
