/// One configuration key: its name in shoal.yaml, how it is spelled in the
/// environment and on the command line, and what it accepts.
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

    /// `state_dir` → `SHOAL_STATE_DIR`.
    var environmentVariable: String { "SHOAL_" + name.uppercased() }
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
    static let bind = ConfigurationKey(name: "bind", kind: .string)
    static let advertise = ConfigurationKey(name: "advertise", kind: .string)
    static let retryJoin = ConfigurationKey(name: "retry_join", kind: .list, flagName: "--join")
    static let profile = ConfigurationKey(name: "profile", kind: .string)

    /// Every key the agent reads, in the order config/shoal.yaml lists them.
    static let all: [ConfigurationKey] = [
        .name, .bind, .advertise, .retryJoin, .profile, .stateDir, .adminSocket, .clusterDir, .certificate, .labels,
        .logLevel, .logFormat, .metricsAddress, .metricsAllowRemote,
    ]

    /// `SHOAL_*` variables that belong to the CLI, not the agent.
    static let clientEnvironment: Set<String> = ["SHOAL_SOCKET", "SHOAL_FORMAT"]
}
