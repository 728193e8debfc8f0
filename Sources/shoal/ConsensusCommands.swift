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
            let sorted = peers.peers.sorted { (order[$0.role] ?? 3, $0.name) < (order[$1.role] ?? 3, $1.name) }
            let rows = sorted.map { (peer: AdminAPI.RaftPeers.Peer) -> [String] in
                let role = peer.id == peers.leader ? "\(peer.role) (leader)" : peer.role
                let match = peer.matchIndex.map(String.init) ?? "-"
                let active = peer.recentlyActive.map { $0 ? "yes" : "no" } ?? "-"
                let contact = peer.lastContactMilliseconds.map { "\($0)ms" } ?? "-"
                return [peer.name, String(peer.id.prefix(16)), role, match, active, contact]
            }
            printTable(header: ["NAME", "ID", "ROLE", "MATCH", "ACTIVE", "LAST CONTACT"], rows: rows)
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
        subcommands: [KVPutCommand.self, KVGetCommand.self, KVDeleteCommand.self, KVListCommand.self, KVWatchCommand.self])
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

struct KVWatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Print a key's value (or, with --prefix, the keys under it) now and each time it changes, until interrupted.",
        discussion: """
            Each round is one blocking read (GET /v1/kv/KEY?index=N&wait=D): the agent answers once \
            the key changes after index N, or after D with what is there. A deleted or absent key \
            prints as an empty line (text) or {"index": N, "pairs": []} (json).
            """)

    @OptionGroup var client: ClientOptions

    @Argument var key: String

    @Flag(help: "Watch every key starting with KEY.")
    var prefix = false

    @Option(help: ArgumentHelp("How long each blocking read may wait, such as 30s or 5m (at most 10m).", valueName: "duration"))
    var wait = "5m"

    struct Change: Encodable {
        var index: UInt64
        var pairs: [AdminAPI.KVPair]
    }

    func run() async throws {
        let admin = client.client
        let encodedPrefix = key.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? key
        var index: UInt64 = 0
        var printed: UInt64?
        while true {
            let watch = "index=\(index)&wait=\(wait)"
            let path = prefix ? "/v1/kv?prefix=\(encodedPrefix)&\(watch)" : kvPath(key, query: "?" + watch)
            let (status, header, body): (Int, String?, [UInt8])
            do throws(AdminClientError) {
                (status, header, body) = try await admin.get(path, header: AdminAPI.indexHeaderName)
            } catch {
                throw fail(error.description)
            }
            var pairs: [AdminAPI.KVPair] = []
            if status == 200 {
                pairs = prefix ? try decode([AdminAPI.KVPair].self, body) : [try decode(AdminAPI.KVPair.self, body)]
            } else if status != 404 || prefix {
                let message = (try? JSONDecoder().decode(AdminAPI.ErrorBody.self, from: Data(body)))?.error.message
                throw fail("agent answered \(status): \(message ?? String(decoding: body, as: UTF8.self))")
            }
            guard let next = header.flatMap(UInt64.init) else { throw fail("the agent's answer has no \(AdminAPI.indexHeaderName) header") }
            if printed != next {
                show(Change(index: next, pairs: pairs))
                fflush(nil)  // each change as it happens, also into a pipe
                printed = next
            }
            // An index that went backwards (a replica restored from an older snapshot): start over.
            index = next < index ? 0 : next
        }
    }

    private func decode<T: Decodable>(_ type: T.Type, _ body: [UInt8]) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(body))
        } catch {
            throw fail("the agent's answer does not decode: \(error)")
        }
    }

    private func show(_ change: Change) {
        switch client.outputFormat {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            if let line = try? encoder.encode(change) { FileHandle.standardOutput.write(line + Data("\n".utf8)) }
        case .text:
            if prefix {
                print("index \(change.index):")
                for pair in change.pairs {
                    print("  \(pair.key) = \(Data(base64Encoded: pair.value).map { String(decoding: $0, as: UTF8.self) } ?? "")")
                }
            } else {
                FileHandle.standardOutput.write((change.pairs.first.flatMap { Data(base64Encoded: $0.value) } ?? Data()) + Data("\n".utf8))
            }
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
