/// Timers kept in the deadline heap; `generation` ties them to one status of one slot.
enum MemberTimer: Sendable {
    case suspicion(slot: Int32, generation: UInt32)
    case reap(slot: Int32, generation: UInt32)
}
