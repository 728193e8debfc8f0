import Configuration
import Foundation
import SystemPackage
import Yams

/// Merges shoal.yaml, `SHOAL_*` environment variables and command-line flags, in that
/// order of precedence (a flag beats the environment, which beats the file), and
/// validates the result before the agent binds or writes anything.
///
/// swift-configuration does the layering and type conversion; this type adds what an
/// agent needs on top: unknown keys are errors, and every error names the key, where
/// the bad value came from and what was expected.
public struct ConfigurationLoader: Sendable {
    /// Values that apply when no source sets a key; `--dev` and tests swap them.
    public struct Defaults: Sendable {
        public var name: String
        public var stateDirectory: String
        public var adminSocket: String
        public var clusterDirectory: String
        public var bind: String
        /// Members that must see each other before a new cluster elects its first leader: 3,
        /// and 1 for `--dev`.
        public var bootstrapExpect: Int

        public init(
            name: String, stateDirectory: String, adminSocket: String, clusterDirectory: String,
            bind: String = "0.0.0.0:7946", bootstrapExpect: Int = 3
        ) {
            self.name = name
            self.stateDirectory = stateDirectory
            self.adminSocket = adminSocket
            self.clusterDirectory = clusterDirectory
            self.bind = bind
            self.bootstrapExpect = bootstrapExpect
        }

        /// The systemd layout of deploy/shoal.service.
        public static func system(hostName: String) -> Defaults {
            Defaults(
                name: hostName, stateDirectory: "/var/lib/shoal", adminSocket: "/run/shoal/admin.sock",
                clusterDirectory: "/etc/shoal/cluster")
        }
    }

    /// The configuration file read when `--config` is not given (and only if it exists).
    public static let defaultFile = "/etc/shoal/shoal.yaml"

    /// Flag values keyed by configuration key name (`state_dir`), as the CLI parsed them.
    public var flags: [String: [String]]
    public var environment: [String: String]
    public var file: String?
    public var fileIsExplicit: Bool
    public var defaults: Defaults

    public init(
        file: String?, fileIsExplicit: Bool, environment: [String: String], flags: [String: [String]],
        defaults: Defaults
    ) {
        self.file = file
        self.fileIsExplicit = fileIsExplicit
        self.environment = environment
        self.flags = flags
        self.defaults = defaults
    }

    /// Reads and validates every source.
    /// - Throws: `ConfigurationError` naming the key, the source and what was expected.
    public func load() async throws(ConfigurationError) -> AgentConfiguration {
        let known = ConfigurationKey.all.map(\.path)
        var sources = Sources()

        // Section keys have no flags.
        let flagKeys = Set(ConfigurationKey.all.filter { $0.section == nil }.map(\.name))
        for key in flags.keys where !flagKeys.contains(key) {
            throw .unknownKey(key: key, source: .flag("--" + key.replacingOccurrences(of: "_", with: "-")), known: known)
        }
        sources.flags = Set(flags.keys)

        let byVariable = Dictionary(uniqueKeysWithValues: ConfigurationKey.all.map { ($0.environmentVariable, $0) })
        var shoalEnvironment: [String: String] = [:]
        for (variable, value) in environment where variable.hasPrefix("SHOAL_") {
            guard !ConfigurationKey.clientEnvironment.contains(variable) else { continue }
            guard let key = byVariable[variable] else {
                throw .unknownKey(
                    key: String(variable.dropFirst("SHOAL_".count)).lowercased(), source: .environment(variable), known: known)
            }
            shoalEnvironment[String(variable.dropFirst("SHOAL_".count))] = value
            sources.environment.insert(key.path)
        }

        var providers: [any ConfigProvider] = []
        var flagValues: [AbsoluteConfigKey: ConfigValue] = [:]
        for key in ConfigurationKey.all {
            guard let values = flags[key.name] else { continue }
            switch key.kind {
            case .string: flagValues[AbsoluteConfigKey([key.name])] = ConfigValue(.string(values.last ?? ""), isSecret: false)
            case .list: flagValues[AbsoluteConfigKey([key.name])] = ConfigValue(.stringArray(values), isSecret: false)
            case .bool: flagValues[AbsoluteConfigKey([key.name])] = ConfigValue(.bool(values.last != "false"), isSecret: false)
            }
        }
        providers.append(InMemoryProvider(name: "flags", values: flagValues))
        providers.append(EnvironmentVariablesProvider(environmentVariables: shoalEnvironment))

        if let file = resolvedFile() {
            let topLevel = try Self.keys(ofYAMLFile: file)
            for key in topLevel where !known.contains(key) {
                throw .unknownKey(key: key, source: .file(file), known: known)
            }
            sources.file = Set(topLevel)
            sources.filePath = file
            // A file of comments only (like the shipped reference) sets nothing.
            if !topLevel.isEmpty {
                do {
                    providers.append(try await FileProvider<YAMLSnapshot>(filePath: FilePath(file)))
                } catch {
                    throw .malformedFile(path: file, reason: String(describing: error))
                }
            }
        }

        let reader = ConfigReader(providers: providers)
        return try Validation(reader: reader, sources: sources, defaults: defaults).configuration()
    }

    private func resolvedFile() -> String? {
        guard let file else { return nil }
        if fileIsExplicit || FileManager.default.fileExists(atPath: file) { return file }
        return nil
    }

    /// The keys a YAML file sets: its top-level keys, and `section.key` for each key inside a
    /// subsystem's section (`transport:`), which must itself be a mapping; an empty file has none.
    static func keys(ofYAMLFile path: String) throws(ConfigurationError) -> [String] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .unreadableFile(path: path, reason: (error as NSError).localizedDescription)
        }
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch YamlError.duplicatedKeysInMapping(let duplicates, _) {
            // Yams points at the first of the duplicates in an order that is not stable for keys
            // that are not plain strings (`? key:`), so the same file could be refused with two
            // different messages; name the keys, sorted, and leave the position out.
            let names = Set(duplicates).sorted().map { "'\($0)'" }.joined(separator: ", ")
            throw .malformedFile(path: path, reason: "a mapping repeats the key(s) \(names)")
        } catch {
            throw .malformedFile(path: path, reason: String(describing: error))
        }
        guard let node else { return [] }
        guard let mapping = node.mapping else {
            throw .malformedFile(path: path, reason: "the top level must be a mapping of key: value")
        }
        var keys: [String] = []
        for (key, value) in mapping {
            guard let name = key.string else {
                throw .malformedFile(path: path, reason: "a key is not a string: \(key)")
            }
            guard ConfigurationKey.sections.contains(name) else {
                keys.append(name)
                continue
            }
            guard let section = value.mapping else {
                throw .malformedFile(path: path, reason: "'\(name)' must be a mapping of key: value")
            }
            for inner in section.keys {
                guard let innerName = inner.string else {
                    throw .malformedFile(path: path, reason: "a key in '\(name)' is not a string: \(inner)")
                }
                keys.append(name + "." + innerName)
            }
        }
        return keys
    }
}

/// Which source set each key, so errors can point at the right place.
struct Sources: Sendable {
    var flags: Set<String> = []
    var environment: Set<String> = []
    var file: Set<String> = []
    var filePath = ""

    func origin(of key: ConfigurationKey) -> ConfigurationError.Source? {
        if key.section == nil, flags.contains(key.name) { return .flag(key.flag) }
        if environment.contains(key.path) { return .environment(key.environmentVariable) }
        if file.contains(key.path) { return .file(filePath) }
        return nil
    }
}
