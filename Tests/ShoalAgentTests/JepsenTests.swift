import Foundation
import ShoalRandom
import Synchronization
import Testing

@testable import ShoalAgent

/// Jepsen-style: concurrent clients put, read and compare-and-set a few keys through every agent
/// while a nemesis kills -9 and restarts agents, pauses them (SIGSTOP) and cuts them off from the
/// others (`LoopbackFirewall`: every packet to or from the agent dropped); the recorded history
/// of each key must be linearizable (`KeyHistory`), and every acknowledged write must be there at
/// the end. Short here (`SHOAL_JEPSEN_SECONDS`, default 12); longer runs are the same test with a
/// larger value. A failing run prints its seed (`SHOAL_JEPSEN_SEED` replays the clients' choices).
@Suite("key-value store under faults (Jepsen style)", .serialized)
struct JepsenTests {
    static let keys = ["j0", "j1", "j2"]

    /// The history, shared by the client tasks.
    final class Recorder: Sendable {
        private let histories = Mutex<[String: KeyHistory]>([:])
        func record(_ key: String, _ operation: KeyHistory.Operation) {
            histories.withLock { $0[key, default: KeyHistory()].operations.append(operation) }
        }
        var all: [String: KeyHistory] { histories.withLock { $0 } }
    }

    /// Carries out one operation through `socket` and says what came of it.
    static func perform(_ kind: KeyHistory.Kind, key: String, socket: String) async -> KeyHistory.Result? {
        let admin = AdminClient(socketPath: socket)
        do {
            switch kind {
            case .read:
                let (status, body) = try await withTimeout(.seconds(3), clock: ContinuousClock()) {
                    try await admin.request(.GET, "/v1/kv/\(key)")
                }
                if status == 404 { return .saw(value: nil, version: 0) }
                guard status == 200, let pair = try? JSONDecoder().decode(AdminAPI.KVPair.self, from: Data(body)),
                    let value = Data(base64Encoded: pair.value)
                else { return nil }  // a failed read constrains nothing
                return .saw(value: String(decoding: value, as: UTF8.self), version: pair.modifyIndex)
            case .write(let value, let cas):
                let (status, body) = try await withTimeout(.seconds(3), clock: ContinuousClock()) {
                    try await admin.put("/v1/kv/\(key)" + (cas.map { "?cas=\($0)" } ?? ""), body: Array(value.utf8))
                }
                let message = (try? JSONDecoder().decode(AdminAPI.ErrorBody.self, from: Data(body)))?.error.message ?? ""
                switch status {
                case 200:
                    guard let write = try? JSONDecoder().decode(AdminAPI.KVWrite.self, from: Data(body)) else { return .unknown }
                    return .written(version: write.index)
                case 409:
                    let digits = message.split(separator: " ").last.flatMap { UInt64($0) }
                    return .casFailed(current: message.contains("does not exist") ? 0 : digits ?? 0)
                case 503 where message.contains("may or may not"): return .unknown
                default: return .failed
                }
            }
        } catch AdminClientError.cannotConnect {
            return kind == .read ? nil : .failed  // never reached the agent
        } catch {
            return kind == .read ? nil : .unknown  // sent, perhaps applied, answer lost or too late
        }
    }

    @Test(
        "put, read and compare-and-set stay linearizable while agents are killed, restarted, paused and partitioned",
        .enabled(if: LoopbackFirewall.available, "needs root and iptables (scripts/setup.sh installs it)"))
    func linearizableUnderFaults() async throws {
        let environment = ProcessInfo.processInfo.environment
        let seconds = environment["SHOAL_JEPSEN_SECONDS"].flatMap(Int.init) ?? 12
        let seed = environment["SHOAL_JEPSEN_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 1...UInt64.max)
        let cluster = try await LocalCluster(subnet: 65)
        let firewall = try LoopbackFirewall(subnet: 65)
        defer { firewall.remove() }
        #expect(try await cluster.startConverged(3))
        #expect(await cluster.agreedLeader([1, 2, 3]) != nil, "no leader before the run")

        let recorder = Recorder()
        // The clients run until the nemesis is done: at least `minimumFaults` faults and the
        // configured time, however slowly a loaded machine restarts agents.
        let minimumFaults = 4
        let stop = SentFlag()  // set once: the clients stop
        let start = ContinuousClock.now
        let deadline = start + .seconds(seconds)
        let sockets = (1...3).map(cluster.socket)
        var faults: [String] = []

        try await withThrowingTaskGroup(of: Void.self) { group in
            for client in 0..<4 {
                group.addTask {
                    var random = SeededGenerator(seed: seed &+ UInt64(client))
                    var lastSeen: [String: UInt64] = [:]
                    var counter = 0
                    while !stop.isSet {
                        let key = Self.keys.randomElement(using: &random)!
                        let socket = sockets.randomElement(using: &random)!
                        let roll = Int.random(in: 0..<10, using: &random)
                        counter += 1
                        let value = "c\(client)-\(counter)"
                        let kind: KeyHistory.Kind =
                            roll < 5 ? .read : roll < 8 ? .write(value: value, cas: nil) : .write(value: value, cas: lastSeen[key] ?? 0)
                        let invoked = ContinuousClock.now - start
                        guard let result = await Self.perform(kind, key: key, socket: socket) else { continue }
                        recorder.record(key, .init(kind: kind, invoked: invoked, completed: ContinuousClock.now - start, result: result))
                        switch result {
                        case .saw(_, let version), .written(let version), .casFailed(let version): lastSeen[key] = version
                        default: break
                        }
                    }
                }
            }
            // The nemesis, one fault at a time, so a quorum is never down for long.
            var random = SeededGenerator(seed: seed ^ 0x6e656d65)
            while faults.count < minimumFaults || ContinuousClock.now < deadline - .seconds(2) {
                try await Task.sleep(for: .milliseconds(Int.random(in: 600...1_200, using: &random)))
                let victim = Int.random(in: 1...3, using: &random)
                let pid = cluster.agents[victim]!.process.processIdentifier
                let fault = Int.random(in: 0..<3, using: &random)
                if fault == 0 {
                    faults.append("kill -9 n\(victim)")
                    _ = try await cluster.agents[victim]!.stop(signal: SIGKILL)
                    try await Task.sleep(for: .milliseconds(Int.random(in: 200...1_000, using: &random)))
                    try cluster.start(victim, seed: cluster.address(victim % 3 + 1))  // through a survivor
                    _ = try await cluster.agents[victim]!.waitUntilServing()
                } else if fault == 1 {
                    faults.append("pause n\(victim)")
                    kill(pid, SIGSTOP)
                    try await Task.sleep(for: .milliseconds(Int.random(in: 300...1_500, using: &random)))
                    kill(pid, SIGCONT)
                } else {
                    // Cut off (a leader then steps down; the rest elect), still serving its clients.
                    faults.append("partition n\(victim)")
                    try firewall.isolate("127.0.65.\(victim)")
                    try await Task.sleep(for: .milliseconds(Int.random(in: 500...2_500, using: &random)))
                    try firewall.heal()
                }
            }
            try await Task.sleep(for: .seconds(1))  // a last stretch with every agent up
            stop.set()
            try await group.waitForAll()
        }

        // Every agent serves again; a final read of each key through each agent joins the history.
        #expect(await cluster.agreedLeader([1, 2, 3]) != nil, "no leader after the faults stopped")
        for key in Self.keys {
            for socket in sockets {
                // A read may still time out just after the last fault: three tries, then it is a failure.
                var invoked = ContinuousClock.now - start
                var result = await Self.perform(.read, key: key, socket: socket)
                for _ in 0..<2 where result == nil {
                    try await Task.sleep(for: .milliseconds(500))
                    invoked = ContinuousClock.now - start
                    result = await Self.perform(.read, key: key, socket: socket)
                }
                #expect(result != nil, "the final read of \(key) through \(socket) failed three times (seed \(seed))")
                if let result {
                    recorder.record(key, .init(kind: .read, invoked: invoked, completed: ContinuousClock.now - start, result: result))
                }
            }
        }
        let histories = recorder.all
        let acknowledged = histories.values.flatMap(\.operations).filter {
            if case .written = $0.result { return true } else { return false }
        }.count
        let total = histories.values.map(\.operations.count).reduce(0, +)
        print("jepsen: \(total) operations, \(acknowledged) acknowledged writes, faults \(faults), seed \(seed)")
        #expect(acknowledged >= 10, "too few writes were acknowledged to say anything (seed \(seed), faults \(faults))")
        #expect(faults.count >= minimumFaults, "the nemesis did too little (\(faults))")
        for key in Self.keys {
            #expect(histories[key] != nil, "no history of key \(key)")
            let violation = histories[key]?.violation()
            #expect(violation == nil, "key \(key): \(violation ?? "") (SHOAL_JEPSEN_SEED=\(seed), faults \(faults))")
        }
    }
}
