import Configuration
import ShoalCrypto

/// Turns merged raw values into an `AgentConfiguration`, checking each against what it must be.
struct Validation {
    let reader: ConfigReader
    let sources: Sources
    let defaults: ConfigurationLoader.Defaults

    func configuration() throws(ConfigurationError) -> AgentConfiguration {
        let name = try string(.name, default: defaults.name)
        try check(.name, name, NodeName.isValid(name), expected: NodeName.rule)
        let adminSocket = try path(.adminSocket, default: defaults.adminSocket)
        // sockaddr_un holds 108 bytes including the terminating NUL.
        try check(
            .adminSocket, adminSocket, adminSocket.utf8.count <= 107,
            expected: "a socket path of at most 107 bytes (the Unix socket limit)")
        let logLevel = try choice(.logLevel, default: AgentConfiguration.LogLevel.info)
        let logFormat = try choice(.logFormat, default: AgentConfiguration.LogFormat.journald)
        let metricsAllowRemote = try bool(.metricsAllowRemote, default: false)
        let metricsAddress = try metricsListener(allowRemote: metricsAllowRemote)
        guard let bind = try address(.bind, default: defaults.bind) else {
            throw invalid(.bind, "", expected: "an IP address and port, such as 0.0.0.0:7946")
        }
        let advertise = try address(.advertise, default: "")
        let profile = try choice(.profile, default: AgentConfiguration.Profile.lan)
        var seeds: [HostPort] = []
        if isSet(.retryJoin) {
            let items: [String]
            do {
                items = try reader.requiredStringArray(forKey: ConfigurationKey.retryJoin.configKey)
            } catch {
                throw invalid(.retryJoin, "(not a list)", expected: "a list of host:port addresses")
            }
            for item in items {
                guard let seed = HostPort(parsing: item), seed.port > 0 else {
                    throw invalid(.retryJoin, item, expected: "host:port, such as 10.0.0.1:7946")
                }
                seeds.append(seed)
            }
        }
        var configuration = AgentConfiguration(
            name: name,
            bind: bind,
            advertise: advertise,
            retryJoin: seeds,
            profile: profile,
            bootstrapExpect: try integer(.bootstrapExpect, default: defaults.bootstrapExpect, within: 1 ... 5),
            stateDirectory: try path(.stateDir, default: defaults.stateDirectory),
            adminSocket: adminSocket,
            clusterDirectory: try path(.clusterDir, default: defaults.clusterDirectory),
            certificate: try string(.certificate, default: ""),
            labels: try labels(),
            logLevel: logLevel,
            logFormat: logFormat,
            metricsAddress: metricsAddress,
            metricsAllowRemote: metricsAllowRemote,
            transport: try TransportSettings.read(self))
        configuration.objects = try ObjectSettings.read(self)
        configuration.tasks = try TaskSettings.read(self)
        return configuration
    }

    /// A duration such as `500ms`, `5s`, `2m` or `1h`, within `range`.
    func duration(_ key: ConfigurationKey, default value: Duration, within range: ClosedRange<Duration>) throws(ConfigurationError)
        -> Duration
    {
        guard isSet(key) else { return value }
        let text = try string(key, default: "")
        let units: [(String, Duration)] = [("ms", .milliseconds(1)), ("s", .seconds(1)), ("m", .seconds(60)), ("h", .seconds(3_600))]
        let expected = "a duration such as 500ms, 5s, 2m or 1h, from \(range.lowerBound) to \(range.upperBound)"
        for (suffix, unit) in units where text.hasSuffix(suffix) {
            guard let count = Int(text.dropLast(suffix.count)), count >= 0 else { continue }
            let parsed = unit * count
            guard range.contains(parsed) else { throw invalid(key, text, expected: expected) }
            return parsed
        }
        throw invalid(key, text, expected: expected)
    }

    /// A whole number within `range`.
    func integer(_ key: ConfigurationKey, default value: Int, within range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        guard isSet(key) else { return value }
        let text = try string(key, default: "")
        guard let parsed = Int(text), range.contains(parsed) else {
            throw invalid(key, text, expected: "a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return parsed
    }

    /// `metrics_address`, resolved to the IP literal that will be bound; nil when empty.
    private func metricsListener(allowRemote: Bool) throws(ConfigurationError) -> HostPort? {
        let text = try string(.metricsAddress, default: "")
        if text.isEmpty { return nil }
        guard let parsed = HostPort(parsing: text), parsed.port > 0 else {
            throw invalid(.metricsAddress, text, expected: "host:port, such as 127.0.0.1:9464, or empty to disable")
        }
        let addresses = MetricsAddress.resolve(parsed.host)
        guard let first = addresses.first else {
            throw invalid(
                .metricsAddress, text,
                expected: "an IP address, or a host name that resolves now ('\(parsed.host)' does not resolve)")
        }
        if !allowRemote, let remote = addresses.first(where: { !MetricsAddress.isLoopback($0) }) {
            let reach = HostPort(host: remote, port: 0).isUnspecified ? "every interface" : "the non-loopback address \(remote)"
            throw invalid(
                .metricsAddress, text,
                expected: "a loopback address such as 127.0.0.1:9464: this one listens on \(reach), where other machines "
                    + "can scrape it; to allow that, set metrics_allow_remote: true (SHOAL_METRICS_ALLOW_REMOTE=true, "
                    + "--metrics-allow-remote)")
        }
        return HostPort(host: first, port: parsed.port)
    }

    private func bool(_ key: ConfigurationKey, default value: Bool) throws(ConfigurationError) -> Bool {
        guard isSet(key) else { return value }
        do {
            return try reader.requiredBool(forKey: key.configKey)
        } catch {
            let text = (try? reader.requiredString(forKey: key.configKey)) ?? "(not true or false)"
            throw invalid(key, text, expected: "true or false")
        }
    }

    /// An `ip:port` value; nil when the value is empty.
    private func address(_ key: ConfigurationKey, default value: String) throws(ConfigurationError) -> HostPort? {
        let text = try string(key, default: value)
        if text.isEmpty { return nil }
        guard let parsed = HostPort(parsing: text), parsed.isIPAddress else {
            throw invalid(key, text, expected: "an IP address and port, such as 10.0.0.1:7946")
        }
        return parsed
    }

    func isSet(_ key: ConfigurationKey) -> Bool { sources.origin(of: key) != nil }

    func invalid(_ key: ConfigurationKey, _ value: String, expected: String) -> ConfigurationError {
        .invalidValue(key: key.name, source: sources.origin(of: key) ?? .defaultValue, value: value, expected: expected)
    }

    private func check(_ key: ConfigurationKey, _ value: String, _ ok: Bool, expected: String) throws(ConfigurationError) {
        if !ok { throw invalid(key, value, expected: expected) }
    }

    func string(_ key: ConfigurationKey, default value: String) throws(ConfigurationError) -> String {
        guard isSet(key) else { return value }
        do {
            return try reader.requiredString(forKey: key.configKey)
        } catch {
            throw invalid(key, "(not text)", expected: "a text value")
        }
    }

    private func path(_ key: ConfigurationKey, default value: String) throws(ConfigurationError) -> String {
        let text = try string(key, default: value)
        try check(key, text, !text.isEmpty && !text.contains("\0"), expected: "a non-empty file system path")
        return text
    }

    private func choice<T: RawRepresentable & CaseIterable>(
        _ key: ConfigurationKey, default value: T
    ) throws(ConfigurationError) -> T where T.RawValue == String {
        let text = try string(key, default: value.rawValue)
        guard let parsed = T(rawValue: text) else {
            throw invalid(key, text, expected: "one of " + T.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return parsed
    }

    private func labels() throws(ConfigurationError) -> [String: String] {
        guard isSet(.labels) else { return [:] }
        let items: [String]
        do {
            items = try reader.requiredStringArray(forKey: ConfigurationKey.labels.configKey)
        } catch {
            throw invalid(.labels, "(not a list)", expected: "a list of key=value items")
        }
        var result: [String: String] = [:]
        for item in items {
            guard let label = Label(parsing: item) else {
                throw invalid(.labels, item, expected: Label.rule)
            }
            result[label.key] = label.value
        }
        // The certificate carries the labels and holds at most this many; refusing here keeps
        // it a configuration error (exit 2) instead of a failure after start-up began.
        let limit = NodeCertificate.maximumLabelCount
        guard result.count <= limit else {
            throw invalid(.labels, "\(result.count) labels", expected: "at most \(limit) labels")
        }
        return result
    }
}
