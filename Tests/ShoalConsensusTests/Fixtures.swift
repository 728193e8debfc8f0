@testable import ShoalConsensus

enum Fixture {
    /// Replica n: 32 bytes whose first is n, so ids sort by n.
    static func id(_ n: Int) -> ReplicaID {
        ReplicaID(bytes: [UInt8(n)] + (1..<32).map { UInt8(truncatingIfNeeded: n &* 31 &+ $0) })!
    }

    static func ids(_ numbers: [Int]) -> [ReplicaID] { numbers.map(id) }

    /// The shipped defaults with small batches, so scripted tests see one step at a time.
    static func config(
        preVote: Bool = true, checkQuorum: Bool = true, leaseTicks: Int = 8, maxEntries: Int = 64, maxInflight: Int = 8
    ) -> RaftConfig {
        var config = RaftConfig()
        config.preVote = preVote
        config.checkQuorum = checkQuorum
        config.leaseTicks = checkQuorum ? leaseTicks : 0
        config.maxEntriesPerAppend = maxEntries
        config.maxInflightAppends = maxInflight
        return config
    }

    /// Stored state with a log of the given terms (entry i + 1 has `terms[i]`).
    static func persisted(voters: [Int], term: Term, terms: [Term] = [], commit: LogIndex = 0, vote: Int? = nil) -> PersistedState {
        var state = PersistedState.bootstrap(voters: ids(voters))
        state.hardState = HardState(term: term, vote: vote.map(id), commit: commit)
        state.entries = terms.enumerated().map { Entry(term: $0.element, index: LogIndex($0.offset + 1), data: [UInt8($0.offset + 1)]) }
        return state
    }

    static func node(_ n: Int, voters: [Int], term: Term = 0, terms: [Term] = [], config: RaftConfig = Fixture.config()) -> Raft {
        Raft(id: id(n), config: config, persisted: persisted(voters: voters, term: term, terms: terms), randomSeed: UInt64(n))
    }

    static func message(_ from: Int, _ to: Int, term: Term, _ kind: MessageKind) -> Message {
        Message(from: id(from), to: id(to), term: term, kind: kind)
    }
}

extension Raft {
    /// Takes the Ready and returns only its messages.
    mutating func drainMessages() -> [Message] { takeReady().messages }

    /// Ticks until an election timeout must have fired (twice the base timeout).
    mutating func tickPastElectionTimeout() {
        for _ in 0..<(2 * config.electionTicks) { tick() }
    }
}

extension [Message] {
    func kinds(to target: Int) -> [MessageKind] { filter { $0.to == Fixture.id(target) }.map(\.kind) }
}
