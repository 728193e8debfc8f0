/// Why this node keeps an object, which decides whether the disk budget may evict it.
public enum ObjectPin: String, Sendable, Comparable, CaseIterable {
    /// A cached copy (fetched for a reader, or a replica this node is not a home for): evictable,
    /// least recently accessed first.
    case cached
    /// This node is one of the object's homes (rendezvous placement): never evicted.
    case home
    /// Pinned by an operator: never evicted.
    case pinned

    /// Whether the disk budget may evict an object held for this reason.
    public var isEvictable: Bool { self == .cached }

    /// `cached` < `home` < `pinned`: a second put keeps the stronger reason.
    public static func < (lhs: ObjectPin, rhs: ObjectPin) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
