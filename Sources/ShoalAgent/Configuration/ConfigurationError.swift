/// Why the agent refused its configuration. Raised before anything is bound or
/// written, so a bad configuration changes nothing.
public enum ConfigurationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Where a value came from, so the message can point at it.
    public enum Source: Equatable, Sendable, CustomStringConvertible {
        case file(String)
        case environment(String)
        case flag(String)
        case defaultValue

        public var description: String {
            switch self {
            case .file(let path): "in \(path)"
            case .environment(let variable): "in environment variable \(variable)"
            case .flag(let flag): "in flag \(flag)"
            case .defaultValue: "in the default"
            }
        }
    }

    case unknownKey(key: String, source: Source, known: [String])
    case invalidValue(key: String, source: Source, value: String, expected: String)
    case unreadableFile(path: String, reason: String)
    case malformedFile(path: String, reason: String)

    public var description: String {
        switch self {
        case .unknownKey(let key, let source, let known):
            "unknown configuration key '\(Self.excerpt(key))' \(source); known keys: \(known.joined(separator: ", "))"
        case .invalidValue(let key, let source, let value, let expected):
            "invalid value '\(Self.excerpt(value))' for '\(key)' \(source): expected \(expected)"
        case .unreadableFile(let path, let reason):
            "cannot read configuration file \(path): \(reason)"
        case .malformedFile(let path, let reason):
            "configuration file \(path) is not valid YAML: \(reason)"
        }
    }

    /// The most of a bad value a message echoes: enough to recognise it, never a flood on stderr.
    static let excerptLength = 64

    /// `value` itself when short; else its first `excerptLength` characters, then `… (N bytes)`.
    static func excerpt(_ value: String) -> String {
        guard value.utf8.count > excerptLength else { return value }
        return String(value.prefix(excerptLength)) + "… (\(value.utf8.count) bytes)"
    }
}
