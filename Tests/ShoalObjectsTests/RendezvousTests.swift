import ShoalMembership
import Testing

@testable import ShoalObjects

/// Highest-random-weight placement (Thaler & Ravishankar 1998).
@Suite("rendezvous placement")
struct RendezvousTests {
    static let nodes = Fixture.nodes(10)
    static let objects = (0..<2_000).map { Fixture.object($0) }

    @Test("every node computes the same homes whatever order it lists the members in")
    func orderIndependence() {
        let object = Fixture.object(1)
        #expect(
            Rendezvous.homes(for: object, among: Self.nodes, factor: .standard)
                == Rendezvous.homes(for: object, among: Self.nodes.reversed(), factor: .standard))
    }

    @Test("an object has `factor` homes, or every alive node when fewer are alive", arguments: [(10, 2, 2), (10, 3, 3), (2, 3, 2), (1, 2, 1)])
    func homeCount(alive: Int, factor: Int, expected: Int) {
        #expect(Rendezvous.homes(for: Fixture.object(7), among: Self.nodes.prefix(alive), factor: ReplicationFactor(factor)).count == expected)
    }

    @Test("the weight is a fixed function, so placement agrees across processes and versions")
    func pinnedWeight() {
        let node = NodeID(bytes: Array(0..<32))
        let object = ObjectID(Multihash(hashing: Array("shoal".utf8)))
        #expect(Rendezvous.weight(of: node, for: object) == Self.pinnedWeight)
    }

    static let pinnedWeight: UInt64 = 6_598_144_353_730_720_919

    @Test("when a node joins, only objects that now rank it among their homes move, and about factor/n of them")
    func joinMovesFew() {
        let joiner = Fixture.node(99)
        var moved = 0
        for object in Self.objects {
            let before = Set(Rendezvous.homes(for: object, among: Self.nodes, factor: .standard))
            let after = Set(Rendezvous.homes(for: object, among: Self.nodes + [joiner], factor: .standard))
            guard before != after else { continue }
            moved += 1
            #expect(after.contains(joiner) && after.subtracting([joiner]).isSubset(of: before))
        }
        let expected = Double(Self.objects.count) * 2 / 11
        #expect(Double(moved) > expected * 0.8 && Double(moved) < expected * 1.2)
    }

    @Test("when a node leaves, exactly the objects it was home to move, each keeping its other home")
    func leaveMovesOnlyItsObjects() {
        let leaver = Self.nodes[3]
        let rest = Self.nodes.filter { $0 != leaver }
        for object in Self.objects {
            let before = Set(Rendezvous.homes(for: object, among: Self.nodes, factor: .standard))
            let after = Set(Rendezvous.homes(for: object, among: rest, factor: .standard))
            #expect((before != after) == before.contains(leaver))
            #expect(before.subtracting([leaver]).isSubset(of: after))
        }
    }

    @Test("homes spread evenly: each of 10 nodes is home to 2,000 × 2 / 10 objects, within 15%")
    func balance() {
        var load: [NodeID: Int] = [:]
        for object in Self.objects {
            for home in Rendezvous.homes(for: object, among: Self.nodes, factor: .standard) { load[home, default: 0] += 1 }
        }
        #expect(load.values.allSatisfy { abs($0 - 400) < 60 })
    }
}
