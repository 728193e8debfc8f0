/// How a chunk store compresses and how much disk it may use.
public struct ChunkStoreConfiguration: Sendable, Equatable {
    /// zstd level for chunk files; 1 (fast) by default.
    public var compressionLevel: Int
    /// A chunk is stored raw unless compression saves at least this fraction (10 %).
    public var minimumSaving: Double
    /// The most bytes chunk files may take (as stored, after compression); nil means no limit.
    /// Past it, cached objects are evicted least recently accessed first; home and pinned
    /// objects never are.
    public var diskBudget: UInt64?

    /// The defaults: level 1, 10 % saving, no budget.
    public init(compressionLevel: Int = 1, minimumSaving: Double = 0.10, diskBudget: UInt64? = nil) {
        self.compressionLevel = compressionLevel
        self.minimumSaving = minimumSaving
        self.diskBudget = diskBudget
    }
}
