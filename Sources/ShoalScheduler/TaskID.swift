/// A task's identity: chosen by the agent that accepted the submission (random, from the shell),
/// so a retried submit names the same task and the log never needs a counter to hand out ids.
///
/// Written as 1 to 64 characters of `a-z`, `0-9` and `-`, which keeps it safe in a path (each
/// attempt's directory is named after it) and in a URL (`/v1/tasks/{id}`).
public struct TaskID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The id as users see it.
    public let rawValue: String

    /// The id `text` names, or nil when it is not a valid task id.
    public init?(_ text: String) {
        guard (1...64).contains(text.utf8.count),
            text.utf8.allSatisfy({ (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "-") })
        else { return nil }
        rawValue = text
    }

    /// The id made of 16 random bytes from the shell, in hex: `t-` then 32 digits.
    public init(randomBytes bytes: [UInt8]) {
        let digits = Array("0123456789abcdef")
        var text = "t-"
        for byte in bytes.prefix(16) {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        rawValue = text
    }

    /// Order of the raw strings, so listings are stable.
    public static func < (lhs: TaskID, rhs: TaskID) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The raw id.
    public var description: String { rawValue }
}
