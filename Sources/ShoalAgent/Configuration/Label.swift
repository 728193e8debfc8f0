import ShoalScheduler

/// A `key=value` node label as written by an operator (`--label zone=eu-1`).
public struct Label: Sendable, Hashable {
    public static let rule = LabelRule.description

    public var key: String
    public var value: String

    /// Parses `key=value`; nil when the key is empty, too long or has other characters.
    public init?(parsing text: String) {
        guard let (key, value) = LabelRule.parse(text) else { return nil }
        self.key = key
        self.value = value
    }
}

/// The rule for node names, shared with certificates (ShoalCrypto enforces the same).
public enum NodeName {
    public static let rule = "1–64 characters from [A-Za-z0-9._-]"

    public static func isValid(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count)
            && name.unicodeScalars.allSatisfy { allowed.contains($0) }
    }

    private static let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-".unicodeScalars)
}
