// fuzz-config: the agent's configuration (ShoalAgent Configuration): shoal.yaml (Yams, then
// swift-configuration's YAML provider), `SHOAL_*` environment variables and flags, merged and
// validated by `ConfigurationLoader`. A configuration loads or is refused with a
// `ConfigurationError`, and the same sources always give the same answer.
//
// Input: the YAML file, then after a NUL byte the environment (`NAME=VALUE` lines), then after
// another NUL the flags (`key=value` lines, as the CLI hands them over).
import Foundation
import FuzzSupport
@testable import ShoalAgent

@main
enum FuzzConfig {
    static func main() { runLibFuzzer(seeds: seeds(), fuzz) }
}

let defaults = ConfigurationLoader.Defaults(
    name: "host", stateDirectory: "/var/lib/shoal", adminSocket: "/run/shoal/admin.sock", clusterDirectory: "/etc/shoal/cluster")

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let parts = FuzzInput(data, size).bytes.split(separator: 0, maxSplits: 2, omittingEmptySubsequences: false)
    let file = ScratchFile.write(Array(parts[0]), name: "shoal.yaml", mode: 0o644)
    var environment: [String: String] = [:]
    for (name, value) in pairs(parts.count > 1 ? parts[1] : []) { environment[name] = value }
    var flags: [String: [String]] = [:]
    for (name, value) in pairs(parts.count > 2 ? parts[2] : []) { flags[name, default: []].append(value) }
    let loader = ConfigurationLoader(file: file, fileIsExplicit: true, environment: environment, flags: flags, defaults: defaults)
    let first = load(loader), second = load(loader)
    require(first == second, "the same sources loaded as \(first), then as \(second)")
    return 0
}

func pairs(_ bytes: ArraySlice<UInt8>) -> [(String, String)] {
    String(decoding: bytes, as: UTF8.self).split(separator: "\n").map { line in
        let parts = line.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
    }
}

func load(_ loader: ConfigurationLoader) -> Result<AgentConfiguration, ConfigurationError> {
    runBlocking {
        do throws(ConfigurationError) {
            return .success(try await loader.load())
        } catch {
            return .failure(error)
        }
    }
}

func seeds() -> [(name: String, bytes: [UInt8])] {
    let file = """
        name: web-1
        bind: 10.0.0.5:7946
        join: [10.0.0.1:7946, 10.0.0.2:7946]
        labels: [zone=eu-1, disk=ssd]
        profile: wan
        log_level: debug
        bootstrap_expect: 3
        transport:
          max_frame_bytes: 1MiB

        """
    return [
        ("file", Array(file.utf8)),
        ("file-env-flags", Array(file.utf8) + [0] + Array("SHOAL_LOG_FORMAT=json\nSHOAL_NAME=web-2\nPATH=/bin".utf8) + [0]
            + Array("label=rack=r1\nlabel=gpu=none\nlog_level=warning".utf8)),
        ("comments", Array("# every key is commented out\n".utf8)),
        ("bad-value", Array("bootstrap_expect: seven\n".utf8)),
    ]
}
