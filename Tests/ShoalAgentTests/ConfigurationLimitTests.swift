import Foundation
import Testing

@testable import ShoalAgent

/// `metrics_address`, labels and echoed values: refused before anything binds, in a message that
/// says what to set.
@Suite("configuration limits")
struct ConfigurationLimitTests {
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

    /// The `expected` text of the `invalidValue` error `load` throws for `key`, or nil.
    func refusal(_ key: String, flags: [String: [String]]) async -> String? {
        do {
            _ = try await load(flags: flags)
            return nil
        } catch {
            guard case .invalidValue(let badKey, _, _, let expected) = error as? ConfigurationError, badKey == key
            else { return nil }
            return expected
        }
    }

    @Test(
        "a metrics address reachable from other machines is refused unless metrics_allow_remote is set",
        arguments: ["10.1.2.3:9464", "0.0.0.0:9464", "[::]:9464", "[2001:db8::1]:9464"])
    func remoteMetricsRefused(address: String) async throws {
        let expected = await refusal("metrics_address", flags: ["metrics_address": [address]])
        #expect(expected?.contains("set metrics_allow_remote: true") == true, "\(expected ?? "accepted")")
        let allowed = try await load(flags: ["metrics_address": [address], "metrics_allow_remote": ["true"]])
        #expect(allowed.metricsAddress == HostPort(parsing: address))
        #expect(allowed.metricsAllowRemote)
    }

    @Test("0.0.0.0 as the metrics address is refused as listening on every interface")
    func everyInterface() async {
        let expected = await refusal("metrics_address", flags: ["metrics_address": ["0.0.0.0:9464"]])
        #expect(expected?.contains("every interface") == true, "\(expected ?? "accepted")")
    }

    @Test("a loopback metrics host name is resolved to the IP literal that will be bound")
    func loopbackName() async throws {
        let config = try await load(flags: ["metrics_address": ["localhost:9464"]])
        let host = try #require(config.metricsAddress?.host)
        #expect(MetricsAddress.isLoopback(host) && config.metricsAddress?.isIPAddress == true, "\(host)")
        #expect(config.metricsAddress?.port == 9464)
    }

    @Test("a metrics host name that does not resolve is refused at validation")
    func unresolvableHost() async {
        let expected = await refusal("metrics_address", flags: ["metrics_address": ["no-such-host.invalid:9464"]])
        #expect(expected?.contains("does not resolve") == true, "\(expected ?? "accepted")")
    }

    @Test("metrics_allow_remote is read from the file and the environment, and must be true or false")
    func allowRemoteSources() async throws {
        let file = dir.write("m.yaml", "metrics_address: \"10.1.2.3:9464\"\nmetrics_allow_remote: true\n")
        #expect(try await load(file: file).metricsAllowRemote)
        let fromEnvironment = try await load(
            env: ["SHOAL_METRICS_ALLOW_REMOTE": "true"], flags: ["metrics_address": ["10.1.2.3:9464"]])
        #expect(fromEnvironment.metricsAllowRemote)
        let bad = dir.write("b.yaml", "metrics_allow_remote: maybe\n")
        await #expect {
            try await load(file: bad)
        } throws: { error in
            guard case .invalidValue(let key, _, _, let expected) = error as? ConfigurationError else { return false }
            return key == "metrics_allow_remote" && expected == "true or false"
        }
    }

    @Test("more labels than a certificate holds are a configuration error that states the limit")
    func tooManyLabels() async {
        let labels = (0...64).map { "key\($0)=v" }
        let expected = await refusal("labels", flags: ["labels": labels])
        #expect(expected == "at most 64 labels", "\(expected ?? "accepted")")
    }

    @Test("a configuration error echoes at most 64 characters of a bad value, and its size")
    func longValueTruncated() async throws {
        let value = String(repeating: "x", count: 100_000)
        do {
            _ = try await load(flags: ["log_level": [value]])
            Issue.record("a 100,000-character log level was accepted")
        } catch {
            let message = String(describing: error)
            #expect(message.contains(String(repeating: "x", count: 64) + "… (100000 bytes)"))
            #expect(message.utf8.count < 400, "\(message.utf8.count) bytes")
        }
    }
}
