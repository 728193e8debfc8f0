import ArgumentParser
import Foundation
import ShoalAgent

#if canImport(Glibc)
import Glibc
#endif

struct PutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "put", abstract: "Store a file as an object in the cluster; prints its id.",
        discussion: "The object is answered once it is durable on --replicas nodes (its homes).")

    @OptionGroup var client: ClientOptions

    @Argument(help: "The file to store; - reads standard input.")
    var file: String

    @Option(help: "How many nodes keep a replica (1-16; default: the agent's objects.replicas, 2).")
    var replicas: Int?

    func run() async throws {
        let input: FileHandle
        var length: UInt64?
        if file == "-" {
            input = FileHandle.standardInput
        } else {
            guard let handle = FileHandle(forReadingAtPath: file) else { throw fail("cannot open \(file)") }
            input = handle
            length = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? NSNumber)?.uint64Value
        }
        let progress = Progress(total: length, label: "put")
        let path = "/v1/objects" + (replicas.map { "?replicas=\($0)" } ?? "")
        let answer = try await client.send(AdminAPI.ObjectPut.self) { (admin: AdminClient) async throws(AdminClientError) in
            try await admin.upload(.PUT, path, length: length) {
                let data = try input.read(upToCount: 1 << 20) ?? Data()
                if data.isEmpty {
                    progress.finish()
                    return nil
                }
                progress.advance(data.count)
                return Array(data)
            }
        }
        switch client.outputFormat {
        case .json: try printJSON(answer)
        case .text: print(answer.id)
        }
    }
}

struct GetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get", abstract: "Read an object by id, from any agent that holds it; writes its bytes.")

    @OptionGroup var client: ClientOptions

    @Argument(help: "The object id a put printed.")
    var id: String

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("Where to write the bytes (default: -, standard output).", valueName: "file"))
    var output: String = "-"

    func run() async throws {
        let temporary = output == "-" ? nil : output + ".shoal-partial"
        let out: FileHandle
        if let temporary {
            guard FileManager.default.createFile(atPath: temporary, contents: nil), let handle = FileHandle(forWritingAtPath: temporary) else {
                throw fail("cannot write \(output)")
            }
            out = handle
        } else {
            out = FileHandle.standardOutput
        }
        var progress: Progress?
        var status = 0
        var errorBody: [UInt8] = []
        do throws(AdminClientError) {
            try await client.client.download(.GET, "/v1/objects/" + id) { code, headers in
                status = code
                if code == 200 { progress = Progress(total: headers["content-length"].flatMap(UInt64.init), label: "get") }
            } onChunk: { chunk in
                if status == 200 {
                    try out.write(contentsOf: chunk)
                    progress?.advance(chunk.count)
                } else {
                    errorBody.append(contentsOf: chunk)
                }
            }
        } catch {
            if let temporary { unlink(temporary) }
            throw fail(error.description)
        }
        progress?.finish()
        guard status == 200 else {
            if let temporary { unlink(temporary) }
            do throws(AdminClientError) {
                _ = try AdminClient.decode(AdminAPI.Done.self, status: status, body: errorBody)
            } catch {
                throw fail(error.description)
            }
            throw fail("agent answered \(status)")
        }
        if let temporary {
            try out.synchronize()
            try out.close()
            guard rename(temporary, output) == 0 else { throw fail("cannot rename \(temporary) to \(output)") }
        }
    }
}

struct ObjectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "object", abstract: "Describe an object: size, chunks, replicas wanted, and the members holding it.")

    @OptionGroup var client: ClientOptions

    @Argument(help: "The object id.")
    var id: String

    func run() async throws {
        let info = try await client.fetch("/v1/objects/\(id)?describe", as: AdminAPI.ObjectInfo.self)
        switch client.outputFormat {
        case .json: try printJSON(info)
        case .text:
            print("id        \(info.id)")
            print("size      \(info.size) bytes (\(ByteFormat.text(Double(info.size))))")
            print("chunks    \(info.chunks)")
            print("replicas  \(info.replicas) wanted, \(info.holders.count) held")
            print("holders   \(info.holders.map(\.name).joined(separator: ", "))")
            print("homes     \(info.homes.map(\.name).joined(separator: ", "))")
        }
    }
}

struct ObjectsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "objects", abstract: "List the objects this agent holds, and whether it is one of their homes.")

    @OptionGroup var client: ClientOptions

    func run() async throws {
        let entries = try await client.fetch("/v1/objects", as: [AdminAPI.ObjectEntry].self)
        switch client.outputFormat {
        case .json: try printJSON(entries)
        case .text:
            let rows = entries.map { [$0.id, String($0.size), String($0.chunks), String($0.replicas), $0.home ? "home" : $0.pin] }
            printTable(header: ["ID", "SIZE", "CHUNKS", "REPLICAS", "HELD AS"], rows: rows)
        }
    }
}

struct RemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rm", abstract: "Remove this agent's copy of an object (a home's copy returns while it stays a home).")

    @OptionGroup var client: ClientOptions

    @Argument(help: "The object id.")
    var id: String

    func run() async throws {
        let done = try await client.send(AdminAPI.Done.self) { (admin: AdminClient) async throws(AdminClientError) in
            try await admin.delete("/v1/objects/" + id)
        }
        try client.show(done)
    }
}

/// Human sizes and rates.
enum ByteFormat {
    static func text(_ bytes: Double) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = bytes
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(Int(value)) B" : String(format: "%.1f %@", value, units[unit])
    }
}

/// A progress bar with rate and ETA on standard error, drawn only when it is a terminal and at
/// most ten times a second.
final class Progress: @unchecked Sendable {
    // @unchecked: advanced from the one task running the transfer.
    private let total: UInt64?
    private let label: String
    private let enabled = isatty(STDERR_FILENO) == 1
    private let started = Date()
    private var done: UInt64 = 0
    private var lastDrawn = Date.distantPast

    init(total: UInt64?, label: String) {
        self.total = total
        self.label = label
    }

    func advance(_ count: Int) {
        done += UInt64(count)
        guard enabled, Date().timeIntervalSince(lastDrawn) >= 0.1 else { return }
        draw()
    }

    func finish() {
        guard enabled else { return }
        draw()
        FileHandle.standardError.write(Data("\n".utf8))
    }

    private func draw() {
        lastDrawn = Date()
        let elapsed = max(Date().timeIntervalSince(started), 0.001)
        let rate = Double(done) / elapsed
        var line = "\r\(label) \(ByteFormat.text(Double(done)))"
        if let total, total > 0 {
            let fraction = min(1, Double(done) / Double(total))
            let filled = Int(fraction * 30)
            line += " / \(ByteFormat.text(Double(total))) [" + String(repeating: "#", count: filled)
                + String(repeating: " ", count: 30 - filled) + "] \(Int(fraction * 100))%"
            let left = rate > 0 ? Double(total - min(total, done)) / rate : 0
            line += " ETA \(Int(left.rounded()))s"
        }
        line += " \(ByteFormat.text(rate))/s   "
        FileHandle.standardError.write(Data(line.utf8))
    }
}
