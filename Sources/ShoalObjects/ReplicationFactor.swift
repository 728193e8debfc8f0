/// How many alive nodes should hold a whole copy of an object (DESIGN "Objects": default 2).
/// With fewer alive nodes than the factor, every alive node is a home.
public struct ReplicationFactor: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Two copies: one node may die without the object becoming unavailable.
    public static let standard = ReplicationFactor(2)

    /// The wanted number of copies, at least 1.
    public let copies: Int

    /// A factor of `copies` (precondition: at least 1; a factor of 0 would be a deletion).
    public init(_ copies: Int) {
        precondition(copies >= 1, "replication factor must be at least 1, got \(copies)")
        self.copies = copies
    }

    /// The copies achievable with `alive` nodes: the factor capped by the alive count.
    public func effective(alive: Int) -> Int { min(copies, alive) }

    /// Fewer copies first.
    public static func < (lhs: ReplicationFactor, rhs: ReplicationFactor) -> Bool { lhs.copies < rhs.copies }

    /// The number of copies.
    public var description: String { "\(copies)" }
}
