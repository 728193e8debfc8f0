import Foundation
import Testing

@testable import ShoalAgent

/// A temporary directory removed when the test's value goes away.
final class TemporaryDirectory: Sendable {
    let path: String

    init() {
        var template = Array((NSTemporaryDirectory() + "/shoal-test-XXXXXX").utf8CString)
        path = String(cString: mkdtemp(&template)!)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func write(_ name: String, _ text: String) -> String {
        let file = path + "/" + name
        _ = FileManager.default.createFile(atPath: file, contents: Data(text.utf8))
        return file
    }
}

@Suite("configuration")
struct ConfigurationTests {
    let dir = TemporaryDirectory()
    let defaults = ConfigurationLoader.Defaults(
        name: "host", stateDirectory: "/var/lib/shoal", adminSocket: "/run/shoal/admin.sock",
        clusterDirectory: "/etc/shoal/cluster")

    func load(file: String? = nil, env: [String: String] = [:], flags: [String: [String]] = [:]) async throws
        -> AgentConfiguration
    {
        try await ConfigurationLoader(
            file: file, fileIsExplicit: file != nil, environment: env, flags: flags, defaults: defaults
        ).load()
    }

    @Test("with no sources every key has its documented default")
    func defaultsApply() async throws {
        let config = try await load()
        #expect(config.name == "host")
        #expect(config.stateDirectory == "/var/lib/shoal")
        #expect(config.logLevel == .info)
        #expect(config.logFormat == .journald)
        #expect(config.metricsAddress == nil)
        #expect(config.certificatePath == "/etc/shoal/cluster/host.cert")
        #expect(config.bootstrapExpect == 3)
    }

    @Test("bootstrap_expect is 1 to 5, from the file, the environment or --bootstrap-expect")
    func bootstrapExpect() async throws {
        #expect(try await load(flags: ["bootstrap_expect": ["5"]]).bootstrapExpect == 5)
        #expect(try await load(env: ["SHOAL_BOOTSTRAP_EXPECT": "1"]).bootstrapExpect == 1)
        for bad in ["0", "6", "three"] {
            await #expect {
                try await load(file: dir.write("e\(bad).yaml", "bootstrap_expect: \(bad)\n"))
            } throws: { error in
                guard case .invalidValue(let key, _, _, let expected) = error as? ConfigurationError else { return false }
                return key == "bootstrap_expect" && expected.contains("1 to 5")
            }
        }
    }

    @Test("binding every interface on a host with only loopback advertises 127.0.0.1 with a warning; otherwise no warning")
    func loopbackOnlyAdvertise() async throws {
        let config = try await load()
        #expect(config.bind.isUnspecified)
        let lonely = Agent.advertiseAddress(configuration: config, boundPort: 7946, interfaceAddress: { nil })
        #expect(lonely.address == HostPort(host: "127.0.0.1", port: 7946))
        #expect(lonely.warning?.contains("--advertise") == true)
        let networked = Agent.advertiseAddress(configuration: config, boundPort: 7946, interfaceAddress: { "10.1.2.3" })
        #expect(networked.address == HostPort(host: "10.1.2.3", port: 7946))
        #expect(networked.warning == nil)
        let explicit = try await load(flags: ["bind": ["127.0.0.5:7000"]])
        #expect(Agent.advertiseAddress(configuration: explicit, boundPort: 7000, interfaceAddress: { nil }).warning == nil)
    }

    @Test("a flag beats the environment, which beats the file")
    func precedence() async throws {
        let file = dir.write("a.yaml", "name: from-file\nstate_dir: /file/state\nlog_level: debug\n")
        let config = try await load(
            file: file, env: ["SHOAL_STATE_DIR": "/env/state", "SHOAL_LOG_LEVEL": "warning"],
            flags: ["log_level": ["error"]])
        #expect(config.name == "from-file")
        #expect(config.stateDirectory == "/env/state")
        #expect(config.logLevel == .error)
    }

    @Test("labels come from a list in the file, a comma list in the environment, or repeated flags")
    func labels() async throws {
        let file = dir.write("l.yaml", "labels: [\"zone=a\", \"disk=ssd\"]\n")
        #expect(try await load(file: file).labels == ["zone": "a", "disk": "ssd"])
        #expect(try await load(env: ["SHOAL_LABELS": "zone=b,rack=7"]).labels == ["zone": "b", "rack": "7"])
        #expect(try await load(file: file, flags: ["labels": ["zone=c"]]).labels == ["zone": "c"])
    }

    @Test("an unknown key in the file names the key and the file")
    func unknownFileKey() async throws {
        let file = dir.write("u.yaml", "name: x\nstate_dri: /tmp\n")
        await #expect {
            try await load(file: file)
        } throws: { error in
            guard case .unknownKey(let key, let source, _) = error as? ConfigurationError else { return false }
            return key == "state_dri" && source == .file(file)
        }
    }

    @Test("an unknown SHOAL_ environment variable is an error, the CLI's own are not")
    func unknownEnvironmentKey() async throws {
        await #expect(throws: ConfigurationError.self) { try await load(env: ["SHOAL_BIND_ADDR": "x"]) }
        _ = try await load(env: ["SHOAL_SOCKET": "/x.sock", "SHOAL_FORMAT": "json"])
    }

    @Test(
        "a bad value names the key, where it came from and what was expected",
        arguments: [
            ("log_level", "loud", "one of trace, debug"),
            ("log_format", "xml", "one of journald, text, json"),
            ("name", "no spaces allowed", "1–64 characters"),
            ("metrics_address", "localhost", "host:port"),
            ("labels", "novalue", "key=value"),
        ])
    func badValue(key: String, value: String, expected: String) async throws {
        await #expect {
            try await load(flags: [key: [value]])
        } throws: { error in
            guard case .invalidValue(let badKey, let source, _, let wanted) = error as? ConfigurationError else { return false }
            return badKey == key && source == .flag("--" + key.replacingOccurrences(of: "_", with: "-"))
                && wanted.contains(expected)
        }
    }

    @Test("a bad value in the file points at the file")
    func badValueInFile() async throws {
        let file = dir.write("b.yaml", "log_format: xml\n")
        await #expect {
            try await load(file: file)
        } throws: { error in
            guard case .invalidValue(_, let source, _, _) = error as? ConfigurationError else { return false }
            return source == .file(file)
        }
    }

    @Test("a file that is not YAML, or not a mapping, is refused")
    func malformedFile() async throws {
        let broken = dir.write("m.yaml", "name: [unclosed\n")
        await #expect(throws: ConfigurationError.self) { try await load(file: broken) }
        let list = dir.write("n.yaml", "- a\n- b\n")
        await #expect(throws: ConfigurationError.self) { try await load(file: list) }
    }

    @Test("a file that repeats keys, some of them not plain strings, is refused the same way every time")
    func duplicateKeysRefusedAlike() async throws {
        // Found by fuzz-config: Yams names the position of whichever duplicate sorts first, and
        // `? key:` entries (keys that are mappings) sort in no stable order, so it takes some loads
        // to see two refusals differ (300 did every time here without the fix).
        let text =
            ";name: weB-1\n" +
            "bind: 10.0.0ug\n" +
            "bootstrap_expect: 3\n" +
            "RangeReptranspport:\n" +
            "? mport:\n" +
            "? max_frame_bytSHOAL_Fax_frame_byt[HOAL_FUZZ_SCweB-1\n" +
            "bind: 10.0.0ug\n" +
            "bootstrap_expect: 3\n" +
            "RangeReptranspport:\n" +
            "? mport:\n" +
            "? max_frame_RATCHes: 0MOptioiB\n"
        let file = dir.write("dup.yaml", text)
        var refusals: Set<String> = []
        for _ in 0..<300 {
            do {
                _ = try await load(file: file)
                Issue.record("a file with duplicated keys was accepted")
            } catch let error as ConfigurationError {
                guard case .malformedFile(_, let reason) = error else {
                    Issue.record("refused as \(error), not as a malformed file")
                    continue
                }
                refusals.insert(reason)
            }
        }
        #expect(refusals.count == 1, "one file, \(refusals.count) different refusals: \(refusals.sorted())")
        #expect(refusals.first?.contains("'bind'") == true && refusals.first?.contains("'bootstrap_expect'") == true)
    }

    @Test("an explicit config file that does not exist is an error")
    func missingExplicitFile() async throws {
        await #expect(throws: ConfigurationError.self) { try await load(file: dir.path + "/absent.yaml") }
    }

    @Test("an admin socket path longer than a sockaddr_un can hold is refused")
    func longSocketPath() async throws {
        let long = "/" + String(repeating: "s", count: 120)
        await #expect(throws: ConfigurationError.self) { try await load(flags: ["admin_socket": [long]]) }
    }

    @Test("config/shoal.yaml, the shipped reference, documents every key and loads cleanly")
    func shippedReference() async throws {
        let reference = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../config/shoal.yaml").standardized.path
        let text = try String(contentsOfFile: reference, encoding: .utf8)
        for key in ConfigurationKey.all {
            let line = key.section == nil ? "# \(key.name):" : "#   \(key.name):"
            #expect(text.contains(line), "config/shoal.yaml does not document \(key.path)")
        }
        _ = try await load(file: reference)
    }
}
