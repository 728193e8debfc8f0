/// What a task needs or a node offers: CPU in millicores (1000 = one core) and memory in bytes,
/// as Kubernetes and Nomad count them.
public struct Resources: Hashable, Sendable, CustomStringConvertible {
    /// Thousandths of a core.
    public var cpuMillis: Int64
    /// Bytes of memory.
    public var memoryBytes: Int64

    /// Nothing: a task that asks for nothing fits anywhere its labels allow.
    public static let zero = Resources(cpuMillis: 0, memoryBytes: 0)

    /// The given amounts (validation, not this initialiser, rejects negative ones).
    public init(cpuMillis: Int64, memoryBytes: Int64) {
        self.cpuMillis = cpuMillis
        self.memoryBytes = memoryBytes
    }

    /// True when every amount here is at most the same amount of `other`.
    public func fits(in other: Resources) -> Bool {
        cpuMillis <= other.cpuMillis && memoryBytes <= other.memoryBytes
    }

    /// True when every amount here is at least the same amount of `other`.
    public func covers(_ other: Resources) -> Bool { other.fits(in: self) }

    /// The sum, saturating (a node's allocation can never wrap round to look free).
    public static func + (lhs: Resources, rhs: Resources) -> Resources {
        Resources(cpuMillis: lhs.cpuMillis.addingSaturating(rhs.cpuMillis), memoryBytes: lhs.memoryBytes.addingSaturating(rhs.memoryBytes))
    }

    /// The difference, floored at zero (releasing more than was allocated leaves nothing, not debt).
    public static func - (lhs: Resources, rhs: Resources) -> Resources {
        Resources(cpuMillis: max(0, lhs.cpuMillis - rhs.cpuMillis), memoryBytes: max(0, lhs.memoryBytes - rhs.memoryBytes))
    }

    /// `500m cpu, 256 MiB`.
    public var description: String { "\(cpuMillis)m cpu, \(memoryBytes >> 20) MiB" }
}

extension Int64 {
    func addingSaturating(_ other: Int64) -> Int64 {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? (other > 0 ? .max : .min) : sum
    }
}
