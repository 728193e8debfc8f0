/// Something `RaftStorage` repaired on open, for the shell to log. Only a torn last write is
/// ever repaired: it was never fsynced, so nothing acknowledged is lost.
public struct RecoveryNotice: Sendable, Equatable, CustomStringConvertible {
    /// The segment file repaired.
    public let segment: String
    /// Where the torn record began; the file now ends here (or is gone if this is 0).
    public let offset: Int
    /// How many bytes were cut off.
    public let droppedBytes: Int
    /// What the torn record looked like.
    public let reason: String

    public var description: String {
        "raft log: cut a torn write off the end of \(segment) at byte \(offset) (\(droppedBytes) bytes: \(reason)); "
            + "it was never acknowledged, nothing durable was lost"
    }
}
