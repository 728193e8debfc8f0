/// Orders claims about one subject: incarnation first, then status rank.
struct Precedence: Comparable {
    var incarnation: UInt64
    var rank: UInt8

    static func < (lhs: Precedence, rhs: Precedence) -> Bool {
        (lhs.incarnation, lhs.rank) < (rhs.incarnation, rhs.rank)
    }
}
