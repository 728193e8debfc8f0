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
            "unknown configuration key '\(key)' \(source); known keys: \(known.joined(separator: ", "))"
        case .invalidValue(let key, let source, let value, let expected):
            "invalid value '\(value)' for '\(key)' \(source): expected \(expected)"
        case .unreadableFile(let path, let reason):
            "cannot read configuration file \(path): \(reason)"
        case .malformedFile(let path, let reason):
            "configuration file \(path) is not valid YAML: \(reason)"
        }
    }
}
