import ArgumentParser
import Foundation
import ShoalAgent

struct LeaderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "leader", abstract: "Show the cluster's leader: id, name, term, since when, and its lease.")

    @OptionGroup var client: ClientOptions

    func run() async throws {
        let leader = try await client.fetch("/v1/leader", as: AdminAPI.Leader.self)
        switch client.outputFormat {
        case .json: try printJSON(leader)
        case .text:
            let since = Date(timeIntervalSince1970: TimeInterval(leader.since))
            printTable(
                header: ["NAME", "ID", "TERM", "SINCE", "LEASE", "COMMIT", "THIS AGENT"],
                rows: [[
                    leader.name, String(leader.id.prefix(16)), "\(leader.term)", since.formatted(.iso8601),
                    "\(leader.leaseMilliseconds)ms", "\(leader.commitIndex)", leader.role,
                ]])
        }
    }
}

struct RaftCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "raft", abstract: "Inspect and steer the Raft group.",
        subcommands: [RaftPeersCommand.self, RaftTransferCommand.self])
}

struct RaftPeersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "peers", abstract: "List voters, standbys and clients, with each replica's match index.")

    @OptionGroup var client: ClientOptions

    func run() async throws {
        let peers = try await client.fetch("/v1/raft/peers", as: AdminAPI.RaftPeers.self)
        switch client.outputFormat {
        case .json: try printJSON(peers)
        case .text:
            let order = ["voter": 0, "standby": 1, "client": 2]
            let rows = peers.peers.sorted { (order[$0.role] ?? 3, $0.name) < (order[$1.role] ?? 3, $1.name) }.map { peer in
                [
                    peer.name, String(peer.id.prefix(16)), peer.id == peers.leader ? "\(peer.role) (leader)" : peer.role,
                    peer.matchIndex.map(String.init) ?? "-", peer.recentlyActive.map { $0 ? "yes" : "no" } ?? "-",
                ]
            }
            printTable(header: ["NAME", "ID", "ROLE", "MATCH", "ACTIVE"], rows: rows)
        }
    }
}

struct RaftTransferCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transfer", abstract: "Hand leadership to a voter (default: the most up-to-date one).")

    @OptionGroup var client: ClientOptions

    @Argument(help: "The voter to hand leadership to.")
    var name: String?

    func run() async throws {
        try client.show(await client.post("/v1/raft/transfer", AdminAPI.TransferRequest(name: name), as: AdminAPI.Done.self))
    }
}

struct KVCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kv", abstract: "The replicated key-value store (linearizable; any agent forwards to the leader).",
        subcommands: [KVPutCommand.self, KVGetCommand.self, KVDeleteCommand.self, KVListCommand.self])
}

/// `/v1/kv/KEY`, with the key percent-encoded (it may hold `/`, kept as is).
func kvPath(_ key: String, query: String = "") -> String {
    var allowed = CharacterSet.urlPathAllowed
    allowed.remove(charactersIn: "?#%")
    return "/v1/kv/" + (key.addingPercentEncoding(withAllowedCharacters: allowed) ?? key) + query
}

struct KVPutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "put", abstract: "Write a key; prints the index it committed at.")

    @OptionGroup var client: ClientOptions

    @Argument var key: String
    @Argument(help: "The value; - reads it from standard input.")
    var value: String

    @Option(help: ArgumentHelp("Write only if the key's modify index is this (0: only if it does not exist).", valueName: "index"))
    var cas: UInt64?

    func run() async throws {
        let bytes = value == "-" ? Array(FileHandle.standardInput.readDataToEndOfFile()) : Array(value.utf8)
        let write = try await client.send(AdminAPI.KVWrite.self) { (admin: AdminClient) async throws(AdminClientError) in try await admin.put(kvPath(key, query: cas.map { "?cas=\($0)" } ?? ""), body: bytes) }
        switch client.outputFormat {
        case .json: try printJSON(write)
        case .text: print(write.index)
        }
    }
}

struct KVGetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "get", abstract: "Print a key's value.")

    @OptionGroup var client: ClientOptions

    @Argument var key: String

    @Flag(help: "Answer from this agent's replica, perhaps behind the leader, without asking it.")
    var stale = false

    func run() async throws {
        let pair = try await client.fetch(kvPath(key, query: stale ? "?stale" : ""), as: AdminAPI.KVPair.self)
        switch client.outputFormat {
        case .json: try printJSON(pair)
        case .text: FileHandle.standardOutput.write(Data(base64Encoded: pair.value).map { $0 + Data("\n".utf8) } ?? Data())
        }
    }
}

struct KVDeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Remove a key; prints the index it committed at.")

    @OptionGroup var client: ClientOptions

    @Argument var key: String

    @Option(help: ArgumentHelp("Remove only if the key's modify index is this.", valueName: "index"))
    var cas: UInt64?

    func run() async throws {
        let write = try await client.send(AdminAPI.KVWrite.self) { (admin: AdminClient) async throws(AdminClientError) in try await admin.delete(kvPath(key, query: cas.map { "?cas=\($0)" } ?? "")) }
        switch client.outputFormat {
        case .json: try printJSON(write)
        case .text: print(write.index)
        }
    }
}

struct KVListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the keys starting with a prefix, with their values.")

    @OptionGroup var client: ClientOptions

    @Argument var prefix: String = ""

    @Flag(help: "Answer from this agent's replica without asking the leader.")
    var stale = false

    func run() async throws {
        var query = "?prefix=" + (prefix.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? prefix)
        if stale { query += "&stale" }
        let pairs = try await client.fetch("/v1/kv" + query, as: [AdminAPI.KVPair].self)
        switch client.outputFormat {
        case .json: try printJSON(pairs)
        case .text:
            let rows = pairs.map { pair in
                [pair.key, "\(pair.modifyIndex)", Data(base64Encoded: pair.value).map { String(decoding: $0, as: UTF8.self) } ?? ""]
            }
            printTable(header: ["KEY", "INDEX", "VALUE"], rows: rows)
        }
    }
}

extension ClientOptions {
    /// GETs `path` and decodes the answer; any failure exits with the agent's message.
    func fetch<Answer: Decodable>(_ path: String, as type: Answer.Type) async throws -> Answer {
        do throws(AdminClientError) {
            return try await client.get(path, as: type)
        } catch {
            throw fail(error.description)
        }
    }

    /// Makes one request through `call` and decodes the JSON answer; any failure exits with the agent's message.
    func send<Answer: Decodable>(
        _ type: Answer.Type, _ call: (AdminClient) async throws(AdminClientError) -> (status: Int, body: [UInt8])
    ) async throws -> Answer {
        do throws(AdminClientError) {
            let (status, answer) = try await call(client)
            return try AdminClient.decode(type, status: status, body: answer)
        } catch {
            throw fail(error.description)
        }
    }
}
