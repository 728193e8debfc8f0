import Testing

@testable import ShoalConsensus

/// Founding a group without naming anyone (`Bootstrap`): the plan each node draws from what it
/// sees, the promises it gives, and what a coordinator concludes.
@Suite("bootstrap of a new group")
struct BootstrapTests {
    let a = Fixture.id(1), b = Fixture.id(2), c = Fixture.id(3), d = Fixture.id(4)

    @Test("fewer alive members than expected: wait; enough: the lowest id coordinates the lowest ids")
    func plans() {
        #expect(Bootstrap.plan(me: a, alive: [a, b], expect: 3) == .wait(seen: 2))
        #expect(Bootstrap.plan(me: a, alive: [d, c, b, a], expect: 3) == .coordinate(founders: [a, b, c], others: [d]))
        #expect(Bootstrap.plan(me: c, alive: [a, b, c], expect: 3) == .follow(coordinator: a))
        // The node itself counts even when membership has not listed it.
        #expect(Bootstrap.plan(me: a, alive: [], expect: 1) == .coordinate(founders: [a], others: []))
        #expect(Bootstrap.plan(me: d, alive: [a, b, c], expect: 3) == .follow(coordinator: a))
    }

    @Test("a free node promises a well-formed ask once, repeats it to a retry, and refuses every other ask")
    func promises() {
        let promised = Bootstrap.answer(ask: [a, b, c], from: a, promise: true, me: b, standing: .free)
        #expect(promised == .promised(.init(coordinator: a, voters: [a, b, c])))
        #expect(Bootstrap.answer(ask: [a, b, c], from: a, promise: true, me: b, standing: promised) == promised)
        // Another coordinator (or other voters) gets the standing, which it takes as a refusal.
        #expect(Bootstrap.answer(ask: [b, c, d], from: b, promise: true, me: c, standing: promised) == promised)
        #expect(Bootstrap.answer(ask: [a, b, c], from: a, promise: true, me: b, standing: .member) == .member)
        // A status question, an ask leaving this node out, or one not led by its lowest id promises nothing.
        #expect(Bootstrap.answer(ask: [a, b, c], from: a, promise: false, me: b, standing: .free) == .free)
        #expect(Bootstrap.answer(ask: [a, c], from: a, promise: true, me: b, standing: .free) == .free)
        #expect(Bootstrap.answer(ask: [a, b, c], from: b, promise: true, me: c, standing: .free) == .free)
        #expect(Bootstrap.answer(ask: [a, c, b], from: a, promise: true, me: b, standing: .free) == .free)
        #expect(Bootstrap.answer(ask: [a, a, b], from: a, promise: true, me: b, standing: .free) == .free)
        // More founders than a group has (the promise file stores the count in one byte).
        let many = Fixture.ids(Array(1...6))
        #expect(Bootstrap.answer(ask: many, from: a, promise: true, me: b, standing: .free) == .free)
        #expect(Bootstrap.answer(ask: Array(many.prefix(5)), from: a, promise: true, me: b, standing: .free) != .free)
    }

    @Test("only the coordinator of the very promise releases it")
    func release() {
        let promise = Bootstrap.Standing.promised(.init(coordinator: a, voters: [a, b, c]))
        #expect(Bootstrap.release(voters: [a, b, c], from: a, standing: promise) == .free)
        #expect(Bootstrap.release(voters: [a, b, c], from: b, standing: promise) == promise)
        #expect(Bootstrap.release(voters: [a, b], from: a, standing: promise) == promise)
        #expect(Bootstrap.release(voters: [a, b, c], from: a, standing: .member) == .member)
    }

    @Test("the group is founded only when every founder promised it and nobody else is promised or a member")
    func outcomes() {
        let mine = Bootstrap.Standing.promised(.init(coordinator: a, voters: [a, b, c]))
        let other = Bootstrap.Standing.promised(.init(coordinator: d, voters: [d]))
        #expect(Bootstrap.outcome(me: a, founders: [a, b, c], answers: [a: mine, b: mine, c: mine, d: .free]) == .found)
        #expect(Bootstrap.outcome(me: a, founders: [a, b, c], answers: [a: mine, b: mine]) == .retry)  // c did not answer
        #expect(Bootstrap.outcome(me: a, founders: [a, b, c], answers: [a: mine, b: mine, c: .free]) == .retry)
        #expect(Bootstrap.outcome(me: a, founders: [a, b, c], answers: [a: mine, b: mine, c: mine, d: other]) == .retry)
        #expect(Bootstrap.outcome(me: a, founders: [a, b, c], answers: [a: mine, b: mine, c: mine, d: .member]) == .join)
    }

    @Test("any interleaving of asks from competing coordinators founds at most one group per founder")
    func competingCoordinators() {
        // Two coordinators with overlapping founder sets ask in every order; each node keeps
        // one standing. Whatever the order, no node ends promised to both, so at most one of the
        // two outcomes is `.found`.
        let first = [a, b, c], second = [b, c, d]
        for order in [[0, 1], [1, 0]] {
            for split in 0...3 {
                var standings: [ReplicaID: Bootstrap.Standing] = [a: .free, b: .free, c: .free, d: .free]
                var answers: [[ReplicaID: Bootstrap.Standing]] = [[:], [:]]
                let asks = [(first, a), (second, b)]
                let nodes = [a, b, c, d]
                // Ask the first `split` nodes for one coordinator, then all nodes for the other, then the rest.
                var schedule: [(Int, ReplicaID)] = []
                schedule += nodes.prefix(split).map { (order[0], $0) }
                schedule += nodes.map { (order[1], $0) }
                schedule += nodes.dropFirst(split).map { (order[0], $0) }
                for (which, node) in schedule {
                    let (voters, coordinator) = asks[which]
                    let standing = Bootstrap.answer(
                        ask: voters, from: coordinator, promise: voters.contains(node), me: node, standing: standings[node]!)
                    standings[node] = standing
                    answers[which][node] = standing
                }
                let founded = (0...1).filter { Bootstrap.outcome(me: asks[$0].1, founders: asks[$0].0, answers: answers[$0]) == .found }
                #expect(founded.count <= 1, "order \(order) split \(split) founded \(founded)")
            }
        }
    }

    @Test("Raft from a founder founds the promised group; from anyone else it does not")
    func foundOnHearing() {
        let promise = Bootstrap.Promise(coordinator: a, voters: [a, b, c])
        #expect(Bootstrap.founds(promise, heardFrom: a))
        #expect(Bootstrap.founds(promise, heardFrom: c))
        #expect(!Bootstrap.founds(promise, heardFrom: d))
    }
}
