import Configuration

/// One configuration key: its name in shoal.yaml, how it is spelled in the
/// environment and on the command line, and what it accepts.
///
/// A key either stands at the top level (the agent's own keys and membership's, whose names
/// are a stable contract) or inside the section of the subsystem that owns it
/// (`transport.idle_timeout`, `SHOAL_TRANSPORT_IDLE_TIMEOUT`); section keys are set in the file
/// or the environment, not by flags. Each subsystem declares its keys in its own module, and
/// `all` assembles them once.
struct ConfigurationKey: Sendable {
    enum Kind: Sendable {
        case string
        case list
        /// `true` or `false`; on the command line a flag without a value.
        case bool
    }

    let name: String
    let kind: Kind
    /// The command-line flag, when it is not the key's name in kebab case.
    var flagName: String? = nil
    /// The subsystem section the key lives in; nil at the top level.
    var section: String? = nil

    /// `state_dir`, or `transport.idle_timeout` inside a section: how messages name the key.
    var path: String { section.map { "\($0).\(name)" } ?? name }
    /// The key as swift-configuration addresses it.
    var configKey: ConfigKey { ConfigKey(section.map { [$0, name] } ?? [name]) }
    /// `state_dir` → `SHOAL_STATE_DIR`; `transport.idle_timeout` → `SHOAL_TRANSPORT_IDLE_TIMEOUT`.
    var environmentVariable: String { "SHOAL_" + path.replacingOccurrences(of: ".", with: "_").uppercased() }
    /// `state_dir` → `--state-dir`.
    var flag: String { flagName ?? "--" + name.replacingOccurrences(of: "_", with: "-") }

    static let name = ConfigurationKey(name: "name", kind: .string)
    static let stateDir = ConfigurationKey(name: "state_dir", kind: .string)
    static let adminSocket = ConfigurationKey(name: "admin_socket", kind: .string)
    static let clusterDir = ConfigurationKey(name: "cluster_dir", kind: .string)
    static let certificate = ConfigurationKey(name: "certificate", kind: .string)
    static let labels = ConfigurationKey(name: "labels", kind: .list)
    static let logLevel = ConfigurationKey(name: "log_level", kind: .string)
    static let logFormat = ConfigurationKey(name: "log_format", kind: .string)
    static let metricsAddress = ConfigurationKey(name: "metrics_address", kind: .string)
    static let metricsAllowRemote = ConfigurationKey(name: "metrics_allow_remote", kind: .bool)

    /// Every key the agent reads, in the order config/shoal.yaml lists them: the agent's own,
    /// then each subsystem's.
    static let all: [ConfigurationKey] =
        [.name] + MembershipSettings.keys + ConsensusSettings.keys
        + [.stateDir, .adminSocket, .clusterDir, .certificate, .labels, .logLevel, .logFormat, .metricsAddress, .metricsAllowRemote]
        + TransportSettings.keys + ObjectSettings.keys + TaskSettings.keys

    /// The sections subsystems declare keys in.
    static let sections: Set<String> = Set(all.compactMap(\.section))

    /// `SHOAL_*` variables that belong to the CLI, not the agent.
    static let clientEnvironment: Set<String> = ["SHOAL_SOCKET", "SHOAL_FORMAT"]
}
