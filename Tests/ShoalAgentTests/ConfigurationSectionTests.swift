import Foundation
import ShoalTransport
import Testing

@testable import ShoalAgent

/// A subsystem's configuration section (`transport:`): its keys in the file and the environment,
/// unknown keys refused inside it as at the top level, every value checked.
@Suite("configuration sections")
struct ConfigurationSectionTests {
    let dir = TemporaryDirectory()

    func load(file: String? = nil, env: [String: String] = [:]) async throws -> AgentConfiguration {
        try await ConfigurationLoader(
            file: file, fileIsExplicit: file != nil, environment: env, flags: [:],
            defaults: .init(name: "host", stateDirectory: "/tmp/s", adminSocket: "/tmp/a.sock", clusterDirectory: "/tmp/c")
        ).load()
    }

    @Test("transport settings come from the file's section and from SHOAL_TRANSPORT_*, the environment winning")
    func sectionValues() async throws {
        let file = dir.write("shoal.yaml", "transport:\n  idle_timeout: 90s\n  max_connections_per_peer: 4\n")
        let configuration = try await load(file: file, env: ["SHOAL_TRANSPORT_MAX_CONNECTIONS_PER_PEER": "8"])
        #expect(configuration.transport.idleTimeout == .seconds(90))
        #expect(configuration.transport.maximumConnectionsPerPeer == 8)
        #expect(configuration.transport.handshakeTimeout == TransportConfiguration().handshakeTimeout)
    }

    @Test("tasks settings come from the file's section and from SHOAL_TASKS_*, with their defaults")
    func taskValues() async throws {
        #expect(try await load().tasks == TaskSettings.Values())
        #expect(TaskSettings.Values().retention == .seconds(4 * 3_600))
        let file = dir.write("shoal.yaml", "tasks:\n  retention: 30m\n  max_running: 8\n")
        let configuration = try await load(file: file, env: ["SHOAL_TASKS_MAX_RUNNING": "16"])
        #expect(configuration.tasks.retention == .seconds(1_800))
        #expect(configuration.tasks.maxRunning == 16)
    }

    @Test("an unknown key inside a section is refused, named with its section")
    func unknownInSection() async throws {
        let file = dir.write("shoal.yaml", "transport:\n  idle_timout: 90s\n")
        await #expect(throws: ConfigurationError.self) { _ = try await load(file: file) }
        do {
            _ = try await load(file: file)
        } catch {
            #expect(String(describing: error).contains("unknown configuration key 'transport.idle_timout'"), "\(error)")
        }
        await #expect(throws: ConfigurationError.self) { _ = try await load(env: ["SHOAL_TRANSPORT_IDLE_TIMOUT": "9s"]) }
    }

    @Test("a section that is not a mapping is refused")
    func sectionNotMapping() async throws {
        let file = dir.write("shoal.yaml", "transport: 5\n")
        await #expect(throws: ConfigurationError.self) { _ = try await load(file: file) }
    }

    @Test("bad durations and out-of-range numbers are refused with what was expected", arguments: [
        ("SHOAL_TRANSPORT_IDLE_TIMEOUT", "soon"), ("SHOAL_TRANSPORT_IDLE_TIMEOUT", "1s"), ("SHOAL_TRANSPORT_MAX_FRAME_BYTES", "12"),
        ("SHOAL_TRANSPORT_MAX_CONNECTIONS", "-1"), ("SHOAL_TASKS_RETENTION", "0s"), ("SHOAL_TASKS_RETENTION", "forever"),
        ("SHOAL_TASKS_RETENTION", "366d"), ("SHOAL_TASKS_MAX_RUNNING", "0"),
    ])
    func badValues(variable: String, value: String) async throws {
        do {
            _ = try await load(env: [variable: value])
            Issue.record("\(variable)=\(value) was accepted")
        } catch {
            #expect(String(describing: error).contains("expected"), "\(error)")
        }
    }
}
