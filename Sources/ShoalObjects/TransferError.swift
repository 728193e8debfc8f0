/// Why an `ObjectTransfer` could not be set up with the limits given.
public enum TransferError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A limit that must be at least 1 (or 0 for `endGameDuplicates`) was not.
    case limitOutOfRange(name: String, value: Int)
    /// The byte cap is below the object's largest chunk, which could then never be requested.
    case byteCapBelowChunkSize(cap: Int, chunkSize: Int)

    /// One line naming what is wrong and what to set.
    public var description: String {
        switch self {
        case .limitOutOfRange(let name, let value):
            "transfer limit \(name) = \(value) is out of range; it must be at least \(name == "endGameDuplicates" ? 0 : 1)"
        case .byteCapBelowChunkSize(let cap, let chunkSize):
            "transfer byte cap \(cap) is below the object's chunk size \(chunkSize); raise maximumBytesInFlight to at least \(chunkSize)"
        }
    }
}
