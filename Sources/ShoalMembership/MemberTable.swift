/// This node's belief about one member.
struct MemberRecord {
    /// Newest subject-signed alive statement accepted (metadata and its incarnation).
    var alive: Statement
    /// The statement behind a suspect/dead/left status; nil while alive.
    var accusation: Statement?
    /// Nanoseconds of the caller's clock; 8 bytes instead of a 16-byte `Duration` matters at
    /// 10,000 × 10,000 records in the simulator.
    var changedAtNanoseconds: Int64
    /// Bumped on every status change so stale timers can be recognised.
    var generation: UInt32
    /// Position in `MemberTable.active`, or -1.
    var activePosition: Int32 = -1
    /// Position in `MemberTable.dead`, or -1.
    var deadPosition: Int32 = -1
    /// Last so the record packs into 40 bytes.
    var status: MemberStatus
    /// Whether the member has shown it holds this node's alive statement (it pinged us, or
    /// answered our ping directly). Until then our probes carry that statement: an agent
    /// drops pings from senders whose certificate it has not seen (see `introduction(to:)`).
    var knowsUs = false

    /// The claim currently in force.
    var precedence: Precedence { accusation?.precedence ?? alive.precedence }
    var incarnation: UInt64 { accusation?.incarnation ?? alive.incarnation }

    var changedAt: Duration {
        get { .nanoseconds(changedAtNanoseconds) }
        set {
            let (seconds, attoseconds) = newValue.components
            changedAtNanoseconds = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
        }
    }
}

/// Slot-addressed member storage with O(1) random choice among live members and tombstones:
/// compact enough for a simulator holding 10,000 × 10,000 beliefs.
struct MemberTable {
    private(set) var records: [MemberRecord?] = []
    private(set) var index: [NodeID: Int32] = [:]
    private var freeSlots: [Int32] = []
    /// Alive and suspect members other than this node: probe, gossip and push-pull targets.
    private(set) var active: [Int32] = []
    /// Dead (not left) members: re-probed so healed partitions merge.
    private(set) var dead: [Int32] = []
    private var lastGeneration: [UInt32] = []

    var count: Int { index.count }

    mutating func reserveCapacity(_ capacity: Int) {
        records.reserveCapacity(capacity)
        lastGeneration.reserveCapacity(capacity)
        index.reserveCapacity(capacity)
        active.reserveCapacity(capacity)
    }

    func slot(of id: NodeID) -> Int32? { index[id] }

    subscript(slot: Int32) -> MemberRecord? {
        records[Int(slot)]
    }

    mutating func update(_ slot: Int32, _ body: (inout MemberRecord) -> Void) {
        body(&records[Int(slot)]!)
    }

    mutating func insert(alive: Statement, status: MemberStatus, now: Duration) -> Int32 {
        let slot: Int32
        if let free = freeSlots.popLast() {
            slot = free
        } else {
            slot = Int32(records.count)
            records.append(nil)
            lastGeneration.append(0)
        }
        let generation = lastGeneration[Int(slot)] &+ 1
        lastGeneration[Int(slot)] = generation
        var record = MemberRecord(alive: alive, accusation: nil, changedAtNanoseconds: 0, generation: generation, status: status)
        record.changedAt = now
        records[Int(slot)] = record
        index[alive.subject] = slot
        return slot
    }

    mutating func remove(_ slot: Int32) {
        guard let record = records[Int(slot)] else { return }
        setActive(slot, false)
        setDead(slot, false)
        lastGeneration[Int(slot)] = record.generation
        index[record.alive.subject] = nil
        records[Int(slot)] = nil
        freeSlots.append(slot)
    }

    mutating func bumpGeneration(_ slot: Int32) -> UInt32 {
        var generation: UInt32 = 0
        update(slot) {
            $0.generation &+= 1
            generation = $0.generation
        }
        return generation
    }

    mutating func setActive(_ slot: Int32, _ isActive: Bool) {
        let position = records[Int(slot)]!.activePosition
        if isActive, position < 0 {
            records[Int(slot)]!.activePosition = Int32(active.count)
            active.append(slot)
        } else if !isActive, position >= 0 {
            let last = active.removeLast()
            if last != slot {
                active[Int(position)] = last
                records[Int(last)]!.activePosition = position
            }
            records[Int(slot)]!.activePosition = -1
        }
    }

    mutating func setDead(_ slot: Int32, _ isDead: Bool) {
        let position = records[Int(slot)]!.deadPosition
        if isDead, position < 0 {
            records[Int(slot)]!.deadPosition = Int32(dead.count)
            dead.append(slot)
        } else if !isDead, position >= 0 {
            let last = dead.removeLast()
            if last != slot {
                dead[Int(position)] = last
                records[Int(last)]!.deadPosition = position
            }
            records[Int(slot)]!.deadPosition = -1
        }
    }
}
