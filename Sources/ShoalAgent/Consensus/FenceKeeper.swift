import Foundation
import ShoalConsensus
import ShoalCrypto
import Synchronization

/// The newest Raft term this agent has seen, kept durably (`<state_dir>/raft.fence`): the
/// fencing rule of DESIGN "Consensus". Every decision a leader hands out carries its term; an
/// agent refuses one whose term is older than the newest it knows, even after a restart, so a
/// deposed leader's answers and assignments never count.
final class FenceKeeper: Sendable {
    struct Damaged: Error, CustomStringConvertible {
        let path: String
        var description: String { "\(path) is not a fencing term (8 bytes); it records the newest Raft term this node has seen" }
    }

    let path: String
    private let newest: Mutex<Term>

    /// Reads the stored term (0 when there is none yet).
    init(path: String) throws {
        self.path = path
        var stored: Term = 0
        if let data = FileManager.default.contents(atPath: path) {
            guard data.count == 8 else { throw Damaged(path: path) }
            stored = data.reduce(0) { $0 << 8 | Term($1) }
        }
        newest = Mutex(stored)
    }

    /// The newest term seen.
    var term: Term { newest.withLock { $0 } }

    /// Whether a decision of `term` counts: false if a newer term has been seen. A newer term
    /// is stored (fsynced) before this returns true, so it is never forgotten; if it cannot be
    /// stored the decision is refused.
    func admit(_ term: Term) -> Bool {
        newest.withLock { newest in
            if term < newest { return false }
            if term == newest { return true }
            do {
                try DurableFile.replace((0..<8).map { UInt8(truncatingIfNeeded: term >> (8 * (7 - $0))) }, at: path)
            } catch {
                return false
            }
            newest = term
            return true
        }
    }
}
