public import ShoalTransport
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Everything an agent is told by its operator, after file, environment and flags
/// have been merged and validated (see `ConfigurationLoader`). Every key is listed,
/// with its default, in config/shoal.yaml.
public struct AgentConfiguration: Sendable, Equatable {
    /// How log lines are written to standard error.
    public enum LogFormat: String, Sendable, CaseIterable {
        /// `<6>message`: the priority prefix that journald reads (the default under systemd).
        case journald
        /// `2026-11-27T01:02:03Z info message`: for a terminal.
        case text
        /// One JSON object per line.
        case json
    }

    /// The log levels of swift-log, lowest first.
    public enum LogLevel: String, Sendable, CaseIterable {
        case trace, debug, info, notice, warning, error, critical
    }

    /// Gossip timing: lan (one data centre), wan, or local (one host).
    public enum Profile: String, Sendable, CaseIterable {
        case lan, wan, local
    }

    /// The node's name, unique in the cluster: what people and `shoal members` see.
    public var name: String
    /// Where gossip listens, UDP and TCP on the same port; port 0 picks a free one.
    public var bind: HostPort
    /// The address other members reach this one at; nil means derive it from `bind`.
    public var advertise: HostPort?
    /// Seed addresses to join, retried with backoff until one answers.
    public var retryJoin: [HostPort]
    public var profile: Profile
    /// Members that must see each other before a new cluster founds its Raft group.
    public var bootstrapExpect: Int
    /// Where the node key, certificate copy and durable state live (mode 0700).
    public var stateDirectory: String
    /// The admin API's Unix socket (mode 0660).
    public var adminSocket: String
    /// The cluster directory: `authority.pub`, and `authority.key` on dev and test clusters.
    public var clusterDirectory: String
    /// This node's certificate; empty means `<cluster_dir>/<name>.cert`.
    public var certificate: String
    /// Labels advertised for this node, `key=value`.
    public var labels: [String: String]
    public var logLevel: LogLevel
    public var logFormat: LogFormat
    /// The TCP address that serves `GET /v1/metrics` and nothing else, resolved to an IP literal;
    /// nil when off. Loopback unless `metricsAllowRemote`.
    public var metricsAddress: HostPort?
    /// Whether the operator allowed `metricsAddress` to be a non-loopback (or every-interface) address.
    public var metricsAllowRemote: Bool
    /// The `transport:` section: the peer transport's limits and timeouts.
    public var transport: TransportConfiguration
    /// The `objects:` section: the chunk store's compression and disk budget, default replicas.
    var objects = ObjectSettings.Values()
    /// The `tasks:` section: how many task processes run at once.
    var tasks = TaskSettings.Values()

    /// The certificate path after applying the `<cluster_dir>/<name>.cert` default.
    public var certificatePath: String {
        certificate.isEmpty ? clusterDirectory + "/" + name + ".cert" : certificate
    }
}

/// An IP address (or host name) and port as the operator wrote it, `host:port` or `[v6]:port`.
public struct HostPort: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port`; nil when the text is not of that form or the port is out of range.
    public init?(parsing text: String) {
        let hostPart: Substring
        let portPart: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { return nil }
            hostPart = text[text.index(after: text.startIndex)..<close]
            portPart = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            hostPart = text[..<colon]
            portPart = text[text.index(after: colon)...]
            if hostPart.contains(":") { return nil }
        }
        guard !hostPart.isEmpty, let port = Int(portPart), (0...65_535).contains(port) else { return nil }
        self.host = String(hostPart)
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Whether `host` is a literal IPv4 or IPv6 address (gossip addresses must be).
    public var isIPAddress: Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }

    /// Whether `host` is 0.0.0.0 or ::, which listens everywhere but cannot be advertised.
    public var isUnspecified: Bool { host == "0.0.0.0" || host == "::" }
}
