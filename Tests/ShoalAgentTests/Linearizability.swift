/// A linearizability checker for one key of the replicated store, used on histories recorded
/// against real agents (Jepsen style).
///
/// The store exposes what a general Wing–Gong search would have to guess: every write commits at
/// a log index (its version), every read returns the version it saw, and every value written is
/// unique, so a read names the write it observed. With versions known, a history is linearizable
/// (for a register with compare-and-set on the version) exactly when there is a point in each
/// operation's interval consistent with the version order, which reduces to these checks:
///
/// 1. A read that returned a value returned the version of the write of that value (when that
///    write's version is known), and that write had been invoked before the read completed.
/// 2. Real time: if operation `a` completed before `b` was invoked, `b`'s version is at least
///    `a`'s (strictly greater when `b` is a write).
/// 3. A compare-and-set that succeeded at version `v` expecting `e`: no known write has a version
///    between `e` and `v` (the key held version `e` just before it). One that failed, saying the
///    key was at `c`, is checked like a read of version `c`.
///
/// Writes whose outcome is unknown (the leader vanished) may or may not have happened: their
/// version is learnt if a read observed them, and they constrain nothing otherwise.
struct KeyHistory {
    enum Kind: Equatable {
        /// A put of a unique value; `cas` when it was conditional.
        case write(value: String, cas: UInt64?)
        case read
    }

    enum Result: Equatable {
        /// A write committed at this version.
        case written(version: UInt64)
        /// A read saw this value at this version; nil value: the key was absent (version 0).
        case saw(value: String?, version: UInt64)
        /// A compare-and-set failed: the key's version was this (0: absent).
        case casFailed(current: UInt64)
        /// Definitely had no effect (refused before it was sent, a 4xx, no leader).
        case failed
        /// May or may not have happened.
        case unknown
    }

    struct Operation {
        var kind: Kind
        /// Monotonic time of the invocation and of the completion.
        var invoked: Duration
        var completed: Duration
        var result: Result
    }

    var operations: [Operation] = []

    /// The first violation found, in words, or nil if the history is linearizable.
    func violation() -> String? {
        // The version of each write, known (acknowledged) or learnt from a read.
        var versionOf: [String: UInt64] = [:]
        var writeOf: [String: Operation] = [:]
        for op in operations {
            guard case .write(let value, _) = op.kind else { continue }
            writeOf[value] = op
            if case .written(let version) = op.result { versionOf[value] = version }
        }
        for op in operations {
            guard case .saw(let value?, let version) = op.result else { continue }
            guard let write = writeOf[value] else { return "a read saw \(value), which nobody wrote" }
            if case .failed = write.result { return "a read saw \(value), from a write that failed" }
            if let known = versionOf[value], known != version {
                return "a read saw \(value) at version \(version), written at \(known)"
            }
            versionOf[value] = version
            if write.invoked > op.completed { return "a read saw \(value) before its write was invoked" }
        }
        var versioned: [(op: Operation, version: UInt64, isWrite: Bool)] = []
        for op in operations {
            switch (op.kind, op.result) {
            case (.write(let value, _), .unknown):
                if let version = versionOf[value] { versioned.append((op, version, true)) }
            case (.write, .written(let version)): versioned.append((op, version, true))
            case (.read, .saw(_, let version)), (.write, .casFailed(let version)): versioned.append((op, version, false))
            default: break
            }
        }
        let writeVersions = versioned.filter(\.isWrite).map(\.version)
        if Set(writeVersions).count != writeVersions.count { return "two writes committed at the same version" }
        for a in versioned where a.op.result != .unknown {
            for b in versioned where a.op.completed < b.op.invoked {
                if b.isWrite ? b.version <= a.version : b.version < a.version {
                    return "an operation at version \(b.version) began after one at version \(a.version) had completed"
                }
            }
        }
        // An unknown write that was observed happened within its interval: reads after a read of
        // it are covered above; nothing more to check for it.
        for op in operations {
            guard case .write(_, let cas?) = op.kind, case .written(let version) = op.result else { continue }
            if let between = writeVersions.first(where: { $0 > cas && $0 < version }) {
                return "a compare-and-set expecting \(cas) committed at \(version), past a write at \(between)"
            }
        }
        return nil
    }
}
