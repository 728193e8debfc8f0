import ArgumentParser
import Foundation
import ShoalAgent

struct MembersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "members", abstract: "List the cluster's members as the local agent sees them.")

    @OptionGroup var client: ClientOptions

    @Option(help: "Only members with this status: alive, suspect, dead or left.")
    var status: String?

    func run() async throws {
        var members: [AdminAPI.Member]
        do {
            members = try await client.client.get("/v1/members", as: [AdminAPI.Member].self)
        } catch {
            throw fail(error.description)
        }
        if let status { members = members.filter { $0.status == status } }
        members.sort { $0.name < $1.name }
        switch client.outputFormat {
        case .json: try printJSON(members)
        case .text:
            let rows = members.map { member in
                [
                    member.name, member.address, member.status, String(member.id.prefix(16)),
                    member.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ","),
                ]
            }
            printTable(header: ["NAME", "ADDRESS", "STATUS", "ID", "LABELS"], rows: rows)
        }
    }
}

/// Prints rows in columns padded to the widest cell, like `serf members`.
func printTable(header: [String], rows: [[String]]) {
    let all = [header] + rows
    let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
    for row in all {
        let cells = row.enumerated().map { index, cell in
            index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
        }
        print(cells.joined(separator: "  "))
    }
}

struct JoinCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "join", abstract: "Tell the local agent to join a cluster through one or more of its members.")

    @OptionGroup var client: ClientOptions

    @Argument(help: ArgumentHelp("Addresses of existing members.", valueName: "ip:port"))
    var addresses: [String]

    func run() async throws {
        let result = try await client.post("/v1/join", AdminAPI.JoinRequest(addresses: addresses), as: AdminAPI.JoinResponse.self)
        switch client.outputFormat {
        case .json: try printJSON(result)
        case .text: print("joined through \(result.joined) of \(addresses.count) address(es)")
        }
    }
}

struct LeaveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "leave", abstract: "Leave the cluster gracefully; the agent then exits.")

    @OptionGroup var client: ClientOptions

    func run() async throws {
        try client.show(await client.post("/v1/leave", nil as String?, as: AdminAPI.Done.self))
    }
}

struct ForceLeaveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "force-leave", abstract: "Mark a failed member as left, so it is no longer re-probed.")

    @OptionGroup var client: ClientOptions

    @Argument(help: "The member's name.")
    var name: String

    func run() async throws {
        try client.show(await client.post("/v1/force-leave", AdminAPI.ForceLeaveRequest(name: name), as: AdminAPI.Done.self))
    }
}

struct MonitorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "monitor", abstract: "Stream membership events as they happen, until interrupted.")

    @OptionGroup var client: ClientOptions

    func run() async throws {
        let format = client.outputFormat
        var pending: [UInt8] = []
        do {
            try await client.client.stream(.GET, "/v1/monitor") { status, chunk in
                guard status == 200 else { throw AdminClientError.api(status: status, message: "monitor refused") }
                pending.append(contentsOf: chunk)
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = Array(pending[..<newline])
                    pending.removeSubrange(...newline)
                    Self.show(line, format: format)
                }
            }
        } catch {
            throw fail(error.description)
        }
    }

    static func show(_ line: [UInt8], format: OutputFormat) {
        switch format {
        case .json: print(String(decoding: line, as: UTF8.self))
        case .text:
            guard let event = try? JSONDecoder().decode(AdminAPI.MemberEvent.self, from: Data(line)) else { return }
            let time = Date().formatted(.iso8601)
            if let member = event.member {
                print("\(time) \(event.event) \(member.name) \(member.address) incarnation=\(member.incarnation)")
            } else {
                print("\(time) \(event.event) \(event.id ?? "") \(event.incarnation.map { "incarnation=\($0)" } ?? "")")
            }
        }
        fflush(nil)
    }
}
