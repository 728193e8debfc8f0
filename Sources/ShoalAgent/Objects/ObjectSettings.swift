import ShoalObjects

/// The `objects:` section of shoal.yaml: how the chunk store compresses, how much disk it may
/// take, and how many replicas a put keeps unless it asks. Set in the file or as
/// `SHOAL_OBJECTS_<KEY>`.
enum ObjectSettings {
    static let section = "objects"
    static let compressionLevel = ConfigurationKey(name: "compression_level", kind: .string, section: section)
    static let diskBudget = ConfigurationKey(name: "disk_budget", kind: .string, section: section)
    static let replicas = ConfigurationKey(name: "replicas", kind: .string, section: section)

    static let keys: [ConfigurationKey] = [compressionLevel, diskBudget, replicas]

    /// What the section sets.
    struct Values: Sendable, Equatable {
        var store = ChunkStoreConfiguration()
        var replicas = 2
    }

    /// The section's values, each checked against its range.
    static func read(_ validation: Validation) throws(ConfigurationError) -> Values {
        var values = Values()
        values.store.compressionLevel = try validation.integer(compressionLevel, default: 1, within: -7 ... 22)
        values.replicas = try validation.integer(replicas, default: 2, within: 1 ... ReplicationFactor.maximumCopies)
        if validation.isSet(diskBudget) {
            let text = try validation.string(diskBudget, default: "")
            guard let bytes = byteCount(text), bytes >= 1 << 20 else {
                throw validation.invalid(diskBudget, text, expected: "a size such as 512MiB, 20GiB or 1TiB (at least 1MiB), or bytes")
            }
            values.store.diskBudget = bytes
        }
        return values
    }

    /// `123`, `64KiB`, `512MiB`, `20GiB`, `1TiB` (`AdminAPI.byteCount`).
    static func byteCount(_ text: String) -> UInt64? { AdminAPI.byteCount(text) }
}
