/// The rule for node labels, one for everything that names them: the agent's `--label` and
/// `labels:` configuration, and the placement constraints that must match them (a constraint
/// the rule refuses could never match a node).
public enum LabelRule {
    /// The rule in words, for error messages.
    public static let description = "key=value, with a key of 1–128 characters from [A-Za-z0-9._/-] and a value of at most 128 bytes"

    /// Splits `key=value` at the first `=` when both halves follow the rule, else nil.
    public static func parse(_ text: String) -> (key: String, value: String)? {
        guard let equals = text.firstIndex(of: "=") else { return nil }
        let key = String(text[..<equals])
        let value = String(text[text.index(after: equals)...])
        guard isValid(key: key, value: value) else { return nil }
        return (key, value)
    }

    /// True when `key` is 1–128 characters from `[A-Za-z0-9._/-]` and `value` at most 128 bytes.
    public static func isValid(key: String, value: String) -> Bool {
        (1...128).contains(key.utf8.count) && value.utf8.count <= 128 && key.unicodeScalars.allSatisfy { keyCharacters.contains($0) }
    }

    private static let keyCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._/-".unicodeScalars)
}
