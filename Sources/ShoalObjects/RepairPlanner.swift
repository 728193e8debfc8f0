public import ShoalMembership

/// The pure repair planner of DESIGN "Objects" ("when a member dies, home nodes re-replicate
/// what fell below its factor"): from the alive set, the object's factor, who holds it and
/// where its directory was kept, it answers the copies, directory moves and drops that restore
/// the placement `Rendezvous.homes` gives. It keeps no state: the same inputs give the same plan
/// on every node, so any home may carry out its part without coordinating.
public enum RepairPlanner {
    /// The plan for `object`.
    ///
    /// - Parameters:
    ///   - alive: the alive members (dead, left and suspect-then-dead nodes excluded by the caller).
    ///   - holders: nodes known to hold the whole object; those not alive are ignored.
    ///   - previousHomes: the nodes that kept the directory before this change (the homes of the
    ///     previous alive set); empty for a new object.
    public static func plan(
        object: ObjectID, factor: ReplicationFactor, alive: Set<NodeID>, holders: Set<NodeID>,
        previousHomes: some Sequence<NodeID>
    ) -> RepairPlan {
        let homes = Rendezvous.homes(for: object, among: alive, factor: factor)
        let homeSet = Set(homes)
        let sources = Rendezvous.ranking(of: holders.intersection(alive), for: object)
        let needing = homes.filter { !holders.contains($0) }
        let copies =
            sources.isEmpty
            ? [] : needing.enumerated().map { RepairPlan.Copy(from: sources[$0.offset % sources.count], to: $0.element) }
        let drops = needing.isEmpty ? sources.filter { !homeSet.contains($0) }.sorted() : []
        return RepairPlan(
            object: object, homes: homes, copies: copies,
            directory: directoryMoves(object: object, homes: homes, alive: alive, previousHomes: Array(previousHomes)),
            drops: drops, isLost: sources.isEmpty)
    }

    /// Hand-offs to each new home from the best surviving previous home (one that stays a home
    /// if any, since its entry stays current), or rebuilds when none survives; then retirements
    /// of the previous homes that are homes no longer.
    static func directoryMoves(object: ObjectID, homes: [NodeID], alive: Set<NodeID>, previousHomes: [NodeID]) -> [RepairPlan.DirectoryMove] {
        let previous = Set(previousHomes)
        let homeSet = Set(homes)
        let survivors = Rendezvous.ranking(of: previous.intersection(alive), for: object)
        let source = survivors.first { homeSet.contains($0) } ?? survivors.first
        var moves: [RepairPlan.DirectoryMove] = homes.filter { !previous.contains($0) }.map { home in
            source.map { .handOff(from: $0, to: home) } ?? .rebuild(at: home)
        }
        // A brand-new object has no directory to move: its first homes simply start one.
        if previous.isEmpty { moves = [] }
        moves += survivors.filter { !homeSet.contains($0) }.sorted().map { .retire(at: $0) }
        return moves
    }
}
