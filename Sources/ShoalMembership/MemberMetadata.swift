/// What a member says about itself in its signed Alive statement.
public struct MemberMetadata: Hashable, Sendable {
    /// Human name (`shoal members`), unique by convention; `forceLeave(name:)` looks it up.
    public var name: String
    /// Gossip and push-pull address.
    public var address: MemberAddress
    /// Operator labels (`zone`, `rack`, …) used by placement.
    public var labels: [String: String]
    /// Allocatable CPU in millicores.
    public var cpuMillis: UInt32
    /// Allocatable memory in bytes.
    public var memoryBytes: UInt64
    /// Agent version string.
    public var version: String
    /// Cluster certificate, opaque here: the shell checks it against the authority.
    public var certificate: [UInt8]

    /// Plain memberwise initialiser.
    public init(
        name: String,
        address: MemberAddress,
        labels: [String: String] = [:],
        cpuMillis: UInt32 = 0,
        memoryBytes: UInt64 = 0,
        version: String = "",
        certificate: [UInt8] = []
    ) {
        self.name = name
        self.address = address
        self.labels = labels
        self.cpuMillis = cpuMillis
        self.memoryBytes = memoryBytes
        self.version = version
        self.certificate = certificate
    }
}
