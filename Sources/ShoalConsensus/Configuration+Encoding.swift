/// The bytes of a `.configuration` entry: a voter count, a learner count (one byte each) and
/// the 32-byte ids. Only leaders write them, but a follower still decodes them defensively.
extension Configuration {
    /// The canonical encoding carried in a `.configuration` entry.
    public var encoded: [UInt8] {
        var bytes: [UInt8] = [UInt8(voters.count), UInt8(learners.count)]
        for id in voters + learners { bytes += id.bytes }
        return bytes
    }

    /// Decodes `encoded`; nil if the bytes are not a configuration.
    public init?(encoded bytes: [UInt8]) {
        guard bytes.count >= 2 else { return nil }
        let voterCount = Int(bytes[0])
        let learnerCount = Int(bytes[1])
        guard bytes.count == 2 + 32 * (voterCount + learnerCount) else { return nil }
        var ids: [ReplicaID] = []
        for offset in stride(from: 2, to: bytes.count, by: 32) {
            guard let id = ReplicaID(bytes: Array(bytes[offset..<offset + 32])) else { return nil }
            ids.append(id)
        }
        self.init(voters: Array(ids.prefix(voterCount)), learners: Array(ids.dropFirst(voterCount)))
    }
}
