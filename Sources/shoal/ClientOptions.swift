import ArgumentParser
import Foundation
import ShoalAgent

/// How a client command prints its answer.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case text, json
}

/// Options every client command takes: where the agent is and how to print.
struct ClientOptions: ParsableArguments {
    static let defaultSocket = "/run/shoal/admin.sock"

    @Option(name: .long, help: ArgumentHelp("The agent's admin socket (default: $SHOAL_SOCKET, then \(defaultSocket)).", valueName: "path"))
    var socket: String?

    @Option(name: .long, help: "Output format: text or json (default: $SHOAL_FORMAT, then text).")
    var format: OutputFormat?

    var socketPath: String {
        socket ?? ProcessInfo.processInfo.environment["SHOAL_SOCKET"].flatMap { $0.isEmpty ? nil : $0 } ?? Self.defaultSocket
    }

    var outputFormat: OutputFormat {
        format ?? ProcessInfo.processInfo.environment["SHOAL_FORMAT"].flatMap(OutputFormat.init(rawValue:)) ?? .text
    }

    var client: AdminClient { AdminClient(socketPath: socketPath) }

    /// POSTs `body` as JSON and decodes the answer; any failure exits with the agent's message.
    func post<Body: Encodable, Answer: Decodable>(_ path: String, _ body: Body?, as type: Answer.Type) async throws -> Answer {
        do {
            let bytes = try body.map { Array(try JSONEncoder().encode($0)) } ?? []
            let (status, answer) = try await client.request(.POST, path, body: bytes)
            return try AdminClient.decode(type, status: status, body: answer)
        } catch let error as AdminClientError {
            throw fail(error.description)
        }
    }

    /// Prints an acknowledgement in the chosen format.
    func show(_ done: AdminAPI.Done) throws {
        switch outputFormat {
        case .json: try printJSON(done)
        case .text: print(done.message)
        }
    }
}

/// Prints `message` to standard error as `shoal: message` and exits with `code`.
func fail(_ message: String, code: Int32 = 1) -> ExitCode {
    FileHandle.standardError.write(Data("shoal: \(message)\n".utf8))
    return ExitCode(code)
}

/// Pretty, sorted JSON of an API value, for `--format json`.
func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}
