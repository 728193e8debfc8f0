@testable import ShoalConsensus

/// The safety properties of Raft Figure 3, checked incrementally as a `Cluster` runs:
/// election safety, log matching, leader completeness and state machine safety, plus the
/// durability of term and commit across restarts.
struct SafetyChecker {
    struct Position: Hashable {
        var index: LogIndex
        var term: Term
    }

    struct Stored: Equatable {
        var kind: EntryKind
        var data: [UInt8]
        var previousTerm: Term?
    }

    private(set) var violations: [String] = []
    /// Election safety: the one leader of each term.
    private var leaders: [Term: Int] = [:]
    /// Log matching: what every stored (index, term) holds and the term before it. Equal
    /// entries with equal predecessors at every position mean equal prefixes, by induction.
    private var positions: [Position: Stored] = [:]
    /// State machine safety: the state after applying each index, as first seen anywhere.
    private var states: [LogIndex: UInt64] = [:]
    /// Leader completeness: each applied (committed) entry's term and the term it was seen
    /// committed in.
    private var committed: [LogIndex: (term: Term, seenIn: Term)] = [:]

    /// Linearizable reads: the highest commit index anywhere when each read was asked for.
    private var readFloors: [[UInt8]: LogIndex] = [:]

    /// A read asked for with `context` must observe everything committed anywhere by now.
    mutating func readRequested(context: [UInt8], nodes: [Raft?]) {
        readFloors[context] = nodes.compactMap { $0?.commitIndex }.max() ?? 0
    }

    mutating func readAnswered(node: Int, _ state: ReadState) {
        guard let floor = readFloors[state.context] else { return }
        if state.index < floor {
            violation("linearizable read: node \(node) got read index \(state.index) for a read asked after \(floor) committed")
        }
    }

    mutating func violation(_ text: String) {
        if violations.count < 20 { violations.append(text) }
    }

    mutating func elected(node: Int, term: Term, nodes: [Raft?]) {
        if let other = leaders[term], other != node {
            violation("election safety: \(other) and \(node) both lead term \(term)")
        }
        leaders[term] = node
        for (index, record) in committed.sorted(by: { $0.key < $1.key }) where record.seenIn < term {
            checkHolds(leader: node, index: index, term: record.term, nodes: nodes)
        }
    }

    mutating func stored(node: Int, entries: [Entry], in state: PersistedState) {
        for entry in entries {
            let previous: Term? =
                entry.index - 1 == state.snapshot.metadata.index
                ? state.snapshot.metadata.term
                : state.entries[safe: Int(entry.index) - 2 - Int(state.snapshot.metadata.index)]?.term
            let record = Stored(kind: entry.kind, data: entry.data, previousTerm: previous)
            let position = Position(index: entry.index, term: entry.term)
            if let known = positions[position] {
                if known.kind != record.kind || known.data != record.data {
                    violation("log matching: node \(node) holds a different entry at \(entry.index) term \(entry.term)")
                } else if let a = known.previousTerm, let b = record.previousTerm, a != b {
                    violation("log matching: node \(node) has term \(b) before \(entry.index)/\(entry.term), others \(a)")
                }
            } else {
                positions[position] = record
            }
        }
    }

    mutating func storedHardState(node: Int, old: HardState, new: HardState) {
        if new.term < old.term { violation("node \(node) stored term \(new.term) after \(old.term)") }
        if new.term == old.term, old.vote != nil, new.vote != old.vote {
            violation("node \(node) changed its vote in term \(new.term)")
        }
        if new.commit < old.commit { violation("node \(node) stored commit \(new.commit) after \(old.commit)") }
    }

    mutating func installed(node: Int, machine: Machine) {
        guard machine.index > 0 else { return }
        if let known = states[machine.index], known != machine.hash {
            violation("state machine safety: node \(node) installed a snapshot at \(machine.index) unlike what others applied")
        }
    }

    mutating func applied(node: Int, entry: Entry, machine: Machine, term: Term, nodes: [Raft?]) {
        if let known = states[entry.index] {
            if known != machine.hash { violation("state machine safety: node \(node) applied a different entry at \(entry.index)") }
        } else {
            states[entry.index] = machine.hash
        }
        if committed[entry.index] == nil || committed[entry.index]!.seenIn > term {
            committed[entry.index] = (entry.term, term)
            for leader in nodes.indices {
                guard let raft = nodes[leader], raft.role == .leader, raft.term > term else { continue }
                checkHolds(leader: leader, index: entry.index, term: entry.term, nodes: nodes)
            }
        }
    }

    private mutating func checkHolds(leader: Int, index: LogIndex, term: Term, nodes: [Raft?]) {
        guard let raft = nodes[leader], index > raft.log.snapshot.metadata.index else { return }
        if raft.log.term(at: index) != term {
            violation("leader completeness: leader \(leader) of term \(raft.term) lacks committed \(index)/\(term)")
        }
    }
}

extension Array {
    subscript(safe position: Int) -> Element? { indices.contains(position) ? self[position] : nil }
}
