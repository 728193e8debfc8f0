/// A `key=value` node label as written by an operator (`--label zone=eu-1`).
public struct Label: Sendable, Hashable {
    public static let rule = "key=value, with a key of 1–128 characters from [A-Za-z0-9._/-] and a value of at most 128 bytes"

    public var key: String
    public var value: String

    /// Parses `key=value`; nil when the key is empty, too long or has other characters.
    public init?(parsing text: String) {
        guard let equals = text.firstIndex(of: "=") else { return nil }
        let key = String(text[..<equals])
        let value = String(text[text.index(after: equals)...])
        guard (1...128).contains(key.utf8.count), value.utf8.count <= 128 else { return nil }
        guard key.unicodeScalars.allSatisfy({ Self.keyCharacters.contains($0) }) else { return nil }
        self.key = key
        self.value = value
    }

    private static let keyCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._/-".unicodeScalars)
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
