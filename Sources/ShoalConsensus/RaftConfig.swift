/// Timing and flow control of one replica (etcd raft `Config`).
///
/// **Time is a tick count.** The shell calls `Raft.tick()` every `tickInterval` of its own
/// clock (100 ms in the agent); every timeout below is a number of ticks, so the core never
/// reads a clock and a simulation replays exactly.
public struct RaftConfig: Sendable, Hashable {
    /// Ticks without hearing from a leader before a follower campaigns; the actual timeout is
    /// drawn uniformly from `electionTicks ..< 2 * electionTicks` (Raft §5.2). Also the period
    /// of check-quorum and the limit on a leadership transfer.
    public var electionTicks = 10
    /// Ticks between a leader's heartbeats; much less than `electionTicks` (Raft §5.6).
    public var heartbeatTicks = 1
    /// Ask whether an election could be won before starting it (thesis §9.6).
    public var preVote = true
    /// A leader that has not heard from a quorum within `electionTicks` steps down, and a
    /// follower that heard from a leader within `electionTicks` ignores vote requests
    /// (thesis §6.2, §4.2.3). The lease below depends on it.
    public var checkQuorum = true
    /// How long after a heartbeat round a quorum acknowledged the leader serves reads alone
    /// (thesis §6.4.1). Must be below `electionTicks` by the clock drift the shell allows for;
    /// 0 turns lease reads off, and every read goes through the read index.
    public var leaseTicks = 8
    /// At most this many entries in one append (batching).
    public var maxEntriesPerAppend = 64
    /// At most about this many bytes of entry data in one append (at least one entry is sent).
    public var maxAppendBytes = 1 << 20
    /// At most this many appends in flight to one follower (pipelining, etcd `MaxInflightMsgs`).
    public var maxInflightAppends = 8

    /// The defaults above: 10-tick elections, 1-tick heartbeats, pre-vote, check-quorum and an
    /// 8-tick lease.
    public init() {}

    /// Whether the values are consistent; `Raft.init` requires it.
    public var isValid: Bool {
        heartbeatTicks >= 1 && electionTicks > heartbeatTicks && leaseTicks >= 0 && leaseTicks < electionTicks
            && (leaseTicks == 0 || checkQuorum) && maxEntriesPerAppend >= 1 && maxInflightAppends >= 1
    }
}
