import ArgumentParser
import ShoalAgent

struct InfoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info", abstract: "Show the local agent's identity, addresses and uptime.")

    @OptionGroup var client: ClientOptions

    func run() async throws {
        let info: AdminAPI.Info
        do {
            info = try await client.client.get("/v1/info", as: AdminAPI.Info.self)
        } catch {
            throw fail(error.description)
        }
        switch client.outputFormat {
        case .json: try printJSON(info)
        case .text:
            let labels = info.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            let rows: [(String, String)] = [
                ("name", info.name), ("id", info.shortID), ("public key", info.id), ("cluster", info.clusterID),
                ("version", info.version), ("admin", info.addresses.admin),
                ("metrics", info.addresses.metrics ?? "-"), ("labels", labels.isEmpty ? "-" : labels),
                ("uptime", "\(Int(info.uptimeSeconds))s"),
                ("task limits", info.tasks.map { "\($0.mechanism): \($0.detail)" } ?? "-"),
            ]
            let width = rows.map(\.0.count).max() ?? 0
            for (key, value) in rows {
                print(key.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + value)
            }
        }
    }
}

struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print the version of this shoal binary.")

    @Option(help: "Output format: text or json.") var format: OutputFormat = .text

    func run() throws {
        switch format {
        case .text: print("shoal \(ShoalVersion.current) (protocol \(ShoalVersion.protocolVersion))")
        case .json:
            try printJSON(["version": ShoalVersion.current, "protocol": String(ShoalVersion.protocolVersion)])
        }
    }
}
