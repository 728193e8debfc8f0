import ArgumentParser
import Foundation
import Logging
import ShoalAgent

struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Run the Shoal agent until SIGTERM or SIGINT.",
        discussion: """
            Settings come from the configuration file (--config, else /etc/shoal/shoal.yaml if present), \
            then SHOAL_* environment variables, then these flags; config/shoal.yaml lists every key.
            """)

    @Flag(help: "Run a single-node dev agent with a throwaway identity and authority in a temporary directory.")
    var dev = false

    @Option(help: ArgumentHelp("The configuration file (YAML).", valueName: "file"))
    var config: String?

    @Option(help: "This node's name (default: the host name).")
    var name: String?

    @Option(help: ArgumentHelp("Gossip address, UDP and TCP (default 0.0.0.0:7946; port 0 picks one).", valueName: "ip:port"))
    var bind: String?

    @Option(help: ArgumentHelp("The address other members reach this one at (default: from --bind).", valueName: "ip:port"))
    var advertise: String?

    @Option(name: .customLong("join"), help: ArgumentHelp("A seed to join, retried until one answers (repeatable).", valueName: "ip:port"))
    var join: [String] = []

    @Option(help: "Gossip timing profile: lan, wan or local.")
    var profile: String?

    @Option(name: .customLong("bootstrap-expect"), help: ArgumentHelp("Members that must see each other before a new cluster elects its first leader (default 3; 1 with --dev).", valueName: "n"))
    var bootstrapExpect: String?

    @Option(name: .customLong("state-dir"), help: ArgumentHelp("State directory (default /var/lib/shoal).", valueName: "dir"))
    var stateDir: String?

    @Option(name: .customLong("admin-socket"), help: ArgumentHelp("Admin API socket (default /run/shoal/admin.sock).", valueName: "path"))
    var adminSocket: String?

    @Option(name: .customLong("cluster-dir"), help: ArgumentHelp("Cluster directory with authority.pub (and authority.key on dev clusters).", valueName: "dir"))
    var clusterDir: String?

    @Option(help: ArgumentHelp("This node's certificate (default CLUSTER_DIR/NAME.cert).", valueName: "file"))
    var certificate: String?

    @Option(name: .customLong("label"), help: ArgumentHelp("A node label, key=value (repeatable).", valueName: "k=v"))
    var labels: [String] = []

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String?

    @Option(name: .customLong("log-format"), help: "journald, text or json.")
    var logFormat: String?

    @Option(name: .customLong("metrics-address"), help: ArgumentHelp("Serve GET /v1/metrics, and nothing else, on this TCP address (loopback unless --metrics-allow-remote).", valueName: "host:port"))
    var metricsAddress: String?

    @Flag(name: .customLong("metrics-allow-remote"), help: "Allow --metrics-address to be a non-loopback address.")
    var metricsAllowRemote = false

    /// Flags the user gave, by configuration key, for the loader's top layer.
    var flagValues: [String: [String]] {
        var values: [String: [String]] = [:]
        let singles: [(String, String?)] = [
            ("name", name), ("state_dir", stateDir), ("admin_socket", adminSocket), ("cluster_dir", clusterDir),
            ("certificate", certificate), ("log_level", logLevel), ("log_format", logFormat),
            ("metrics_address", metricsAddress), ("bind", bind), ("advertise", advertise), ("profile", profile),
            ("bootstrap_expect", bootstrapExpect),
        ]
        for (key, value) in singles { if let value { values[key] = [value] } }
        if !labels.isEmpty { values["labels"] = labels }
        if !join.isEmpty { values["retry_join"] = join }
        if metricsAllowRemote { values["metrics_allow_remote"] = ["true"] }
        return values
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let hostName = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "shoal"
        var defaults = ConfigurationLoader.Defaults.system(hostName: NodeName.isValid(hostName) ? hostName : "shoal")
        let loader = ConfigurationLoader(
            file: config ?? ConfigurationLoader.defaultFile, fileIsExplicit: config != nil, environment: environment,
            flags: flagValues, defaults: defaults)
        // Validate before the dev cluster writes anything, so a bad configuration changes nothing.
        var configuration: AgentConfiguration
        do {
            configuration = try await loader.load()
        } catch {
            throw fail(error.description, code: 2)
        }

        var dev: DevCluster?
        if self.dev {
            do {
                let cluster = try DevCluster.create()
                dev = cluster
                defaults.stateDirectory = cluster.stateDirectory
                defaults.clusterDirectory = cluster.clusterDirectory
                defaults.bind = "127.0.0.1:0"
                defaults.bootstrapExpect = 1
                var devLoader = loader
                devLoader.defaults = defaults
                configuration = try await devLoader.load()
            } catch {
                throw fail("\(error)")
            }
        }
        defer { dev?.remove() }

        let format = configuration.logFormat
        let level = configuration.logLevel.loggerLevel
        LoggingSystem.bootstrap { label in StderrLogHandler(label: label, level: level, format: format) }
        let logger = Logger(label: "shoal")
        if let dev { logger.notice("dev mode: throwaway identity and authority", metadata: ["dir": "\(dev.root)"]) }

        do {
            try await Agent(configuration: configuration, logger: logger, environment: environment).run()
        } catch let error as AgentError {
            logger.critical("\(error)")
            throw fail(error.description)
        }
    }
}
