import Foundation
import ShoalConsensus
import ShoalWire

/// The replicated key-value store: the state machine under the cluster's Raft group (Consul's
/// KV, etcd's keys). Keys are UTF-8 strings; every write is one `KVCommand` entry, applied in
/// log order on every replica with the same outcome.
final class KeyValueStore: ReplicatedStateMachine {
    /// One stored key.
    struct Pair: Sendable, Equatable {
        var key: String
        var value: [UInt8]
        /// The log index of the write that created the key.
        var createIndex: LogIndex
        /// The log index of the last write to it (what `cas` compares).
        var modifyIndex: LogIndex
    }

    /// What applying one command did.
    enum Outcome: Sendable, Equatable {
        /// The key was written at `index`.
        case written(index: LogIndex)
        /// The key is gone (it may not have existed), at `index`.
        case deleted(index: LogIndex)
        /// A `cas` did not match: the key's modify index is `current` (nil: it does not exist).
        case casFailed(current: LogIndex?)
        /// The command was refused (a key or value out of bounds, bytes that do not decode).
        case invalid(String)
    }

    /// Why a snapshot could not be restored.
    struct SnapshotError: Error, CustomStringConvertible {
        let description: String
    }

    /// Bounds on what one write may carry (Consul's: 512 KiB values).
    static let maximumKeyBytes = 512
    static let maximumValueBytes = 512 << 10

    private var pairs: [String: Pair] = [:]
    /// The index of the last delete that removed a key (0: none yet).
    private(set) var lastDeleteIndex: LogIndex = 0

    /// The command that writes `value` at `key`, only if its modify index is `cas` when given
    /// (0: only if the key does not exist).
    static func put(_ key: String, _ value: [UInt8], cas: LogIndex? = nil) -> [UInt8] {
        var command = Shoal_Wire_V1_KVCommand()
        command.put = .with {
            $0.key = key
            $0.value = Data(value)
            $0.compare = cas != nil
            $0.cas = cas ?? 0
        }
        return try! command.serializedBytes()
    }

    /// The command that removes `key`, only if its modify index is `cas` when given.
    static func delete(_ key: String, cas: LogIndex? = nil) -> [UInt8] {
        var command = Shoal_Wire_V1_KVCommand()
        command.delete = .with {
            $0.key = key
            $0.compare = cas != nil
            $0.cas = cas ?? 0
        }
        return try! command.serializedBytes()
    }

    /// Why `key` cannot be stored, or nil if it can.
    static func problem(key: String) -> String? {
        if key.isEmpty { return "the key is empty" }
        if key.utf8.count > maximumKeyBytes { return "the key is \(key.utf8.count) bytes; at most \(maximumKeyBytes)" }
        if key.utf8.contains(0) { return "the key contains a NUL byte" }
        return nil
    }

    /// Why `value` cannot be stored, or nil if it can.
    static func problem(value: [UInt8]) -> String? {
        value.count > maximumValueBytes ? "the value is \(value.count) bytes; at most \(maximumValueBytes)" : nil
    }

    func apply(_ entry: Entry) -> Outcome {
        guard let command = try? Shoal_Wire_V1_KVCommand(serializedBytes: entry.data) else { return .invalid("not a key-value command") }
        return apply(command, at: entry.index)
    }

    /// Applies a decoded command as the entry at `index`.
    func apply(_ command: Shoal_Wire_V1_KVCommand, at index: LogIndex) -> Outcome {
        switch command.op {
        case .put(let put):
            let value = [UInt8](put.value)
            if let problem = Self.problem(key: put.key) ?? Self.problem(value: value) { return .invalid(problem) }
            let existing = pairs[put.key]
            if put.compare, put.cas != (existing?.modifyIndex ?? 0) { return .casFailed(current: existing?.modifyIndex) }
            pairs[put.key] = Pair(key: put.key, value: value, createIndex: existing?.createIndex ?? index, modifyIndex: index)
            return .written(index: index)
        case .delete(let delete):
            if let problem = Self.problem(key: delete.key) { return .invalid(problem) }
            let existing = pairs[delete.key]
            if delete.compare, delete.cas != (existing?.modifyIndex ?? 0) || existing == nil { return .casFailed(current: existing?.modifyIndex) }
            if existing != nil {
                pairs[delete.key] = nil
                lastDeleteIndex = index
            }
            return .deleted(index: index)
        case .tasks:
            return .invalid("a task command, which the key-value store does not apply")
        case nil:
            return .invalid("a key-value command with no operation")
        }
    }

    /// The pair at `key`.
    func get(_ key: String) -> Pair? { pairs[key] }

    /// Every pair whose key starts with `prefix`, in key order.
    func list(prefix: String) -> [Pair] {
        pairs.values.filter { $0.key.hasPrefix(prefix) }.sorted { $0.key < $1.key }
    }

    /// What a watch on `pairs` (a read of one key or of a prefix) compares: the newest modify
    /// index among them, or the last delete if that is newer. Deletes are not kept per key, so
    /// a delete elsewhere also moves it (a watch then wakes to the same pairs under a new index,
    /// as Consul's blocking queries may).
    func watchIndex(of pairs: [Pair]) -> LogIndex {
        max(lastDeleteIndex, pairs.map(\.modifyIndex).max() ?? 0)
    }

    func snapshot() -> [UInt8] { try! snapshotMessage().serializedBytes() }

    /// The pairs as a snapshot message (the cluster state adds its task table to it).
    func snapshotMessage() -> Shoal_Wire_V1_KVSnapshot {
        var snapshot = Shoal_Wire_V1_KVSnapshot()
        snapshot.pairs = list(prefix: "").map { pair in
            .with {
                $0.key = pair.key
                $0.value = Data(pair.value)
                $0.createIndex = pair.createIndex
                $0.modifyIndex = pair.modifyIndex
            }
        }
        snapshot.lastDeleteIndex = lastDeleteIndex
        return snapshot
    }

    func restore(_ bytes: [UInt8]) throws {
        guard !bytes.isEmpty else { return try restore(Shoal_Wire_V1_KVSnapshot()) }
        do {
            try restore(try Shoal_Wire_V1_KVSnapshot(serializedBytes: bytes))
        } catch let error as SnapshotError {
            throw error
        } catch {
            throw SnapshotError(description: "the key-value snapshot does not decode: \(error)")
        }
    }

    /// Replaces every pair with the snapshot's.
    func restore(_ snapshot: Shoal_Wire_V1_KVSnapshot) throws(SnapshotError) {
        var restored: [String: Pair] = [:]
        for pair in snapshot.pairs {
            if let problem = Self.problem(key: pair.key) { throw SnapshotError(description: "snapshot key refused: \(problem)") }
            guard restored[pair.key] == nil else { throw SnapshotError(description: "snapshot holds \(pair.key) twice") }
            restored[pair.key] = Pair(key: pair.key, value: [UInt8](pair.value), createIndex: pair.createIndex, modifyIndex: pair.modifyIndex)
        }
        pairs = restored
        lastDeleteIndex = snapshot.lastDeleteIndex
    }
}
