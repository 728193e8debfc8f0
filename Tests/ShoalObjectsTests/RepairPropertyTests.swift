import ShoalMembership
import ShoalTestSupport
import Testing

@testable import ShoalObjects
import ShoalRandom

/// Random membership histories (seeded, so a failure replays): after every change, carry out
/// repair plans until they settle, then check the placement invariants.
@Suite("repair under random membership changes", .offCooperativePool)
struct RepairPropertyTests {
    /// What the cluster knows about one object: who holds it and where its directory is.
    struct ObjectState {
        var holders: Set<NodeID>
        var directory: [NodeID]
    }

    struct History {
        var rng: SeededGenerator
        let factor: ReplicationFactor
        var alive: Set<NodeID>
        var nextNode: UInt64
        var objects: [ObjectID: ObjectState] = [:]
        var copiesCarriedOut = 0
        var lost = 0

        init(seed: UInt64, nodes: Int, objects count: Int, factor: Int) {
            rng = SeededGenerator(seed: seed)
            self.factor = ReplicationFactor(factor)
            alive = Set(Fixture.nodes(nodes))
            nextNode = UInt64(nodes)
            for index in 0..<count {
                let object = Fixture.object(seed << 20 | UInt64(index))
                // The putting node holds the first copy; repair spreads it.
                objects[object] = ObjectState(holders: [alive.sorted().randomElement(using: &rng)!], directory: [])
            }
        }

        /// One membership change: a join, or up to `failures` nodes dying at once.
        mutating func change(failures: Int) -> (joined: NodeID?, departed: Set<NodeID>) {
            if alive.count <= failures || Bool.random(using: &rng) {
                let joiner = Fixture.node(nextNode)
                nextNode += 1
                alive.insert(joiner)
                return (joiner, [])
            }
            var departed = Set<NodeID>()
            for _ in 0..<Int.random(in: 1...failures, using: &rng) {
                departed.insert(alive.subtracting(departed).sorted().randomElement(using: &rng)!)
            }
            alive.subtract(departed)
            for object in objects.keys { objects[object]!.holders.subtract(departed) }
            return (nil, departed)
        }

        /// Carries out plans until every object's plan is settled; answers the rounds it took.
        mutating func repair() -> Int {
            for round in 1...4 {
                var settled = true
                for (object, state) in objects {
                    let plan = RepairPlanner.plan(
                        object: object, factor: factor, alive: alive, holders: state.holders, previousHomes: state.directory)
                    if plan.isLost { lost += 1 }
                    guard !plan.isSettled else { continue }
                    settled = false
                    objects[object]!.holders.formUnion(plan.copies.map(\.to))
                    objects[object]!.holders.subtract(plan.drops)
                    objects[object]!.directory = plan.homes
                    copiesCarriedOut += plan.copies.count
                }
                if settled { return round }
            }
            return 5
        }

        func homes(_ object: ObjectID) -> Set<NodeID> {
            Set(Rendezvous.homes(for: object, among: alive, factor: factor))
        }
    }

    @Test("once repair settles, every object is on exactly its homes, at its factor", arguments: [(UInt64(1), 2, 1), (2, 2, 1), (3, 3, 2), (4, 3, 2)])
    func factorRestored(seed: UInt64, factor: Int, failures: Int) {
        var history = History(seed: seed, nodes: 6, objects: 100, factor: factor)
        _ = history.repair()
        var violations: [String] = []
        for step in 0..<40 {
            _ = history.change(failures: failures)
            if history.repair() > 3 { violations.append("step \(step): repair did not settle within three rounds") }
            for (object, state) in history.objects {
                if state.holders != history.homes(object) { violations.append("step \(step): \(object) is not held by exactly its homes") }
                if state.holders.count != history.factor.effective(alive: history.alive.count) {
                    violations.append("step \(step): \(object) has \(state.holders.count) copies")
                }
            }
        }
        #expect(violations.isEmpty && history.lost == 0, "seed \(seed): \(violations.prefix(3)), \(history.lost) objects lost")
    }

    @Test("a join or a death moves only the objects rendezvous hashing says, one copy each", arguments: [UInt64(5), 6, 7])
    func minimalMovement(seed: UInt64) {
        var history = History(seed: seed, nodes: 8, objects: 150, factor: 2)
        _ = history.repair()
        var violations: [String] = []
        for step in 0..<40 {
            let before = Dictionary(uniqueKeysWithValues: history.objects.keys.map { ($0, history.homes($0)) })
            let (joined, departed) = history.change(failures: 1)
            let after = Dictionary(uniqueKeysWithValues: history.objects.keys.map { ($0, history.homes($0)) })
            let moved = history.objects.keys.filter { after[$0]! != before[$0]! }
            for object in moved {
                let (old, new) = (before[object]!, after[object]!)
                let expected =
                    if let joined { new.contains(joined) && new.subtracting([joined]).isSubset(of: old) } else {
                        !old.isDisjoint(with: departed) && old.subtracting(departed).isSubset(of: new)
                    }
                if !expected { violations.append("step \(step): \(object) moved from \(old) to \(new)") }
            }
            if joined == nil, moved.count != before.values.count(where: { !$0.isDisjoint(with: departed) }) {
                violations.append("step \(step): a death moved objects the dead node was not home to")
            }
            let copiesBefore = history.copiesCarriedOut
            _ = history.repair()
            // Below the factor a death leaves nothing to copy to; at or above it, one copy per move.
            if history.alive.count >= history.factor.copies, history.copiesCarriedOut - copiesBefore != moved.count {
                violations.append("step \(step): \(history.copiesCarriedOut - copiesBefore) copies for \(moved.count) moved objects")
            }
        }
        #expect(violations.isEmpty, "seed \(seed): \(violations.prefix(3))")
    }
}
