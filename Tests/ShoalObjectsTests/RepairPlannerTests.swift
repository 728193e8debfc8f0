import ShoalMembership
import Testing

@testable import ShoalObjects

/// The repair planner: the copies, directory moves and drops that restore an object's placement.
@Suite("repair planner")
struct RepairPlannerTests {
    static let object = Fixture.object(11)
    static let nodes = Fixture.nodes(6)
    /// The six nodes in the object's rendezvous order: ranked[0] and ranked[1] are its homes.
    static let ranked = Rendezvous.ranking(of: nodes, for: object)

    static func plan(alive: [NodeID], holders: [NodeID], previousHomes: [NodeID], factor: Int = 2) -> RepairPlan {
        RepairPlanner.plan(
            object: object, factor: ReplicationFactor(factor), alive: Set(alive), holders: Set(holders), previousHomes: previousHomes)
    }

    @Test("an object on its homes with the directory there is settled")
    func settled() {
        #expect(Self.plan(alive: Self.nodes, holders: Array(Self.ranked[0...1]), previousHomes: Array(Self.ranked[0...1])).isSettled)
    }

    @Test("when a home dies, the survivor copies to the next-ranked node and hands it the directory")
    func homeDied() {
        let alive = Self.nodes.filter { $0 != Self.ranked[1] }
        let plan = Self.plan(alive: alive, holders: Array(Self.ranked[0...1]), previousHomes: Array(Self.ranked[0...1]))
        #expect(plan.homes == [Self.ranked[0], Self.ranked[2]])
        #expect(plan.copies == [RepairPlan.Copy(from: Self.ranked[0], to: Self.ranked[2])])
        #expect(plan.directory == [.handOff(from: Self.ranked[0], to: Self.ranked[2])])
    }

    @Test("no copy is dropped while a home still lacks one")
    func noDropBeforeFactorMet() {
        // ranked[2] holds a copy but is no home; ranked[0] is a home without one.
        let plan = Self.plan(alive: Self.nodes, holders: Array(Self.ranked[1...2]), previousHomes: Array(Self.ranked[1...2]))
        #expect(plan.copies.map(\.to) == [Self.ranked[0]] && plan.drops.isEmpty)
    }

    @Test("once every home holds a copy, the surplus copies may be dropped")
    func dropsOnceFactorMet() {
        let plan = Self.plan(alive: Self.nodes, holders: Array(Self.ranked[0...3]), previousHomes: Array(Self.ranked[0...1]))
        #expect(plan.copies.isEmpty && plan.drops == Array(Self.ranked[2...3]).sorted())
    }

    @Test("a joining node that becomes a home gets a copy and the directory; the displaced home retires")
    func join() {
        let before = Array(Self.ranked[1...])
        let oldHomes = Array(Self.ranked[1...2])
        let plan = Self.plan(alive: Self.nodes, holders: oldHomes, previousHomes: Rendezvous.homes(for: Self.object, among: before, factor: .standard))
        #expect(plan.copies.map(\.to) == [Self.ranked[0]])
        #expect(plan.directory == [.handOff(from: Self.ranked[1], to: Self.ranked[0]), .retire(at: Self.ranked[2])])
    }

    @Test("when no previous home survives, the new homes rebuild the directory from holders' reports")
    func rebuild() {
        let alive = Self.nodes.filter { $0 != Self.ranked[0] && $0 != Self.ranked[1] }
        let plan = Self.plan(alive: alive, holders: [Self.ranked[3]], previousHomes: Array(Self.ranked[0...1]))
        #expect(plan.directory == [.rebuild(at: Self.ranked[2]), .rebuild(at: Self.ranked[3])])
    }

    @Test("an object no alive node holds is lost, and nothing is planned to copy")
    func lost() {
        let plan = Self.plan(alive: Array(Self.ranked[2...]), holders: Array(Self.ranked[0...1]), previousHomes: Array(Self.ranked[0...1]))
        #expect(plan.isLost && plan.copies.isEmpty && !plan.isSettled)
    }

    @Test("copies to several new homes are spread over the surviving holders")
    func spreadSources() {
        let plan = Self.plan(alive: Self.nodes, holders: Array(Self.ranked[3...4]), previousHomes: Array(Self.ranked[3...4]), factor: 3)
        #expect(Set(plan.copies.map(\.from)) == Set(Self.ranked[3...4]) && plan.copies.map(\.to) == Array(Self.ranked[0...2]))
    }

    @Test("the factor is capped by the alive count: two alive nodes with factor 3 means two homes")
    func cappedFactor() {
        let plan = Self.plan(alive: Array(Self.ranked[0...1]), holders: [Self.ranked[0]], previousHomes: [Self.ranked[0]], factor: 3)
        #expect(plan.homes.count == 2 && plan.copies == [RepairPlan.Copy(from: Self.ranked[0], to: Self.ranked[1])])
    }

    @Test("a new object's first homes need no directory hand-off")
    func newObject() {
        #expect(Self.plan(alive: Self.nodes, holders: [Self.ranked[5]], previousHomes: []).directory.isEmpty)
    }

    @Test("holders that are not alive are neither sources nor counted")
    func deadHoldersIgnored() {
        let alive = Self.nodes.filter { $0 != Self.ranked[4] }
        let plan = Self.plan(alive: alive, holders: [Self.ranked[0], Self.ranked[4]], previousHomes: Array(Self.ranked[0...1]))
        #expect(plan.copies == [RepairPlan.Copy(from: Self.ranked[0], to: Self.ranked[1])] && plan.drops.isEmpty)
    }
}
