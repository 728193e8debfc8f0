import ShoalMembership
import Testing

@testable import ShoalScheduler

/// The leader's placement (issue "Tasks" §2): filter by labels and free resources, bin-pack or
/// spread, prefer the nodes holding the inputs.
@Suite("placement")
struct PlacerTests {
    func request(_ number: Int, _ resources: Resources = Fixture.core, constraints: [LabelConstraint] = [], strategy: PlacementStrategy = .binpack, local: [NodeID: Int64] = [:]) -> PlacementRequest {
        PlacementRequest(task: Fixture.task(number), resources: resources, constraints: constraints, strategy: strategy, localBytes: local)
    }

    func nodes(of decisions: [PlacementDecision]) -> [NodeID?] {
        decisions.map { if case .placed(_, let node) = $0 { node } else { nil } }
    }

    @Test("bin-pack fills the fullest node that fits before touching an empty one")
    func binpackFillsOneNode() {
        var placer = Placer(nodes: Fixture.cluster(3))
        let placed = nodes(of: placer.place((0..<4).map { request($0) }))
        #expect(Set(placed.compactMap { $0 }).count == 1, "four one-core tasks fit on one four-core node")
    }

    @Test("spread puts each task on the emptiest node")
    func spreadUsesEveryNode() {
        var placer = Placer(nodes: Fixture.cluster(3))
        let placed = nodes(of: placer.place((0..<3).map { request($0, strategy: .spread) }))
        #expect(Set(placed.compactMap { $0 }).count == 3)
    }

    @Test("a task goes only to a node with every label it asks for")
    func labelsFilter() {
        var placer = Placer(nodes: Fixture.cluster(6) { ["zone": $0 % 2 == 0 ? "a" : "b", "gpu": $0 == 5 ? "1" : "0"] })
        let decisions = placer.place([
            request(0, constraints: [LabelConstraint(key: "zone", value: "b"), LabelConstraint(key: "gpu", value: "1")]),
            request(1, constraints: [LabelConstraint(key: "zone", value: "c")]),
        ])
        #expect(decisions[0] == .placed(task: Fixture.task(0), node: Fixture.node(5)))
        #expect(decisions[1] == .unplaceable(task: Fixture.task(1), reason: .noNodeMatches([LabelConstraint(key: "zone", value: "c")])))
    }

    @Test("no node is ever given more than it offers, and what does not fit waits with the reason")
    func neverOvercommits() {
        var placer = Placer(nodes: Fixture.cluster(2))
        let decisions = placer.place((0..<10).map { request($0) })
        #expect(nodes(of: decisions).compactMap { $0 }.count == 8)
        for node in placer.nodes { #expect(node.allocated.fits(in: node.capacity)) }
        #expect(decisions[9] == .unplaceable(task: Fixture.task(9), reason: .insufficientResources(wanted: Fixture.core, largest: Fixture.cluster(1)[0].capacity)))
    }

    @Test("a task bigger than any node says so, and a smaller one after it is still placed")
    func tooBigThenSmall() {
        var placer = Placer(nodes: Fixture.cluster(2))
        let huge = Resources(cpuMillis: 64_000, memoryBytes: 0)
        let decisions = placer.place([request(0, huge), request(1)])
        guard case .unplaceable(_, .insufficientResources(let wanted, let largest)) = decisions[0] else {
            Issue.record("the huge task was not refused for its size: \(decisions[0])")
            return
        }
        #expect(!wanted.fits(in: largest))
        #expect(nodes(of: decisions)[1] != nil)
    }

    @Test("a node that already holds the inputs is preferred over a better bin-pack fit")
    func locality() {
        var placer = Placer(nodes: Fixture.cluster(3))
        _ = placer.place([request(0)])  // makes one node the bin-pack favourite
        let holder = placer.nodes.first { $0.allocated == .zero }!.id
        let decisions = placer.place([request(1, local: [holder: 64 << 20])])
        #expect(decisions == [.placed(task: Fixture.task(1), node: holder)])
    }

    @Test("released resources can be placed on again")
    func release() {
        var placer = Placer(nodes: Fixture.cluster(1))
        _ = placer.place((0..<4).map { request($0) })
        #expect(nodes(of: placer.place([request(4)])) == [nil])
        placer.release(Fixture.core, on: Fixture.node(0))
        #expect(nodes(of: placer.place([request(5)])) == [Fixture.node(0)])
    }

    @Test("the same nodes, requests and start give the same placements")
    func deterministic() {
        let requests = (0..<500).map { request($0, Resources(cpuMillis: Int64(100 + $0 % 7 * 150), memoryBytes: Int64($0 % 5) << 28)) }
        var first = Placer(nodes: Fixture.cluster(300), start: 17)
        var second = Placer(nodes: Fixture.cluster(300), start: 17)
        #expect(first.place(requests) == second.place(requests))
    }

    @Test("on a large cluster every placement fits and the load reaches every node that is needed")
    func largeCluster() {
        var placer = Placer(nodes: Fixture.cluster(1000))
        let decisions = placer.place((0..<3000).map { request($0) })
        #expect(nodes(of: decisions).allSatisfy { $0 != nil })
        #expect(placer.nodes.allSatisfy { $0.allocated.fits(in: $0.capacity) })
        #expect(placer.nodes.filter { $0.allocated != .zero }.count <= 760, "bin-pack used far more nodes than 3000 tasks need (750)")
    }
}
