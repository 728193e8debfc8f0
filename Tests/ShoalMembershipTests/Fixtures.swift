import Testing

@testable import ShoalMembership

/// Signs as one node: signature = signer id ++ a 64-bit FNV-1a of (signer id ++ bytes).
struct TestAuthenticator: StatementAuthenticator {
    let signer: NodeID

    func sign(_ bytes: [UInt8]) -> [UInt8] {
        var signature = signer.bytes
        let digest = TestAuthenticator.digest(signer.bytes + bytes)
        for shift in stride(from: 56, through: 0, by: -8) { signature.append(UInt8(truncatingIfNeeded: digest >> UInt64(shift))) }
        return signature
    }

    func verify(_ signature: [UInt8], of bytes: [UInt8], by signer: NodeID) -> Bool {
        TestAuthenticator(signer: signer).sign(bytes) == signature
    }

    static func digest(_ bytes: [UInt8]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return hash
    }
}

enum Fixture {
    static func id(_ index: Int) -> NodeID {
        NodeID(bytes: (0..<32).map { UInt8(truncatingIfNeeded: index &* 31 &+ $0 &* 7 &+ 1) })
    }

    static func address(_ index: Int) -> MemberAddress {
        MemberAddress(host: "10.0.0.\(index)", port: 7946)
    }

    static func metadata(_ index: Int) -> MemberMetadata {
        MemberMetadata(name: "node-\(index)", address: address(index), labels: ["zone": "a"], cpuMillis: 2000, memoryBytes: 1 << 30, version: "0.1.0")
    }

    static func signer(_ index: Int) -> TestAuthenticator { TestAuthenticator(signer: id(index)) }

    static func alive(_ index: Int, _ incarnation: UInt64) -> Statement {
        Statement.signed(subject: id(index), incarnation: incarnation, claim: .alive(metadata(index)), by: signer(index))
    }

    static func suspect(_ index: Int, _ incarnation: UInt64, by accuser: Int) -> Statement {
        Statement.signed(subject: id(index), incarnation: incarnation, claim: .suspect(accuser: id(accuser)), by: signer(accuser))
    }

    static func dead(_ index: Int, _ incarnation: UInt64, by accuser: Int, left: Bool = false) -> Statement {
        Statement.signed(subject: id(index), incarnation: incarnation, claim: .dead(accuser: id(accuser), left: left), by: signer(accuser))
    }

    /// memberlist's LAN timing (1 s probes, α = 4, gossip every 200 ms): the unit tests pin
    /// their timelines to these round numbers, so that tuning the shipped profiles (which the
    /// simulator and the cluster tests cover) does not rewrite every expectation.
    static let classic: MembershipConfig = {
        var config = MembershipConfig.lan
        config.probeInterval = .seconds(1)
        config.probeTimeout = .milliseconds(500)
        config.suspicionMultiplier = 4
        config.gossipInterval = .milliseconds(200)
        return config
    }()

    /// Node 0 at incarnation 1, knowing nodes 1 ..< `peers + 1` alive at incarnation 1.
    static func node(peers: Int = 0, config: MembershipConfig = Fixture.classic) -> Membership {
        var membership = Membership(
            myself: id(0), metadata: metadata(0), incarnation: 1, config: config, authenticator: signer(0),
            randomSeed: 42, now: .zero)
        if peers > 0 {
            _ = membership.receive(Datagram(messages: (1...peers).map { .gossip(alive($0, 1)) }), from: address(1), now: .zero)
        }
        return membership
    }
}

extension [MembershipEffect] {
    var sends: [(Datagram, MemberAddress)] {
        compactMap { if case .send(let datagram, let address, _) = $0 { (datagram, address) } else { nil } }
    }

    var events: [MembershipEvent] {
        compactMap { if case .event(let event) = $0 { event } else { nil } }
    }

    var messages: [MembershipMessage] { sends.flatMap(\.0.messages) }
}

/// A ping a node sent, with the datagram that carried it.
struct SentPing {
    var datagram: Datagram
    var seq: UInt64
    var target: NodeID
    var address: MemberAddress
    var at: Duration
}

extension Membership {
    /// Ticks at each deadline until the node sends a ping, for at most `limit` of virtual time
    /// from its next deadline; nil when none came (a node with no one to probe never pings).
    mutating func nextPing(within limit: Duration = .seconds(10)) -> SentPing? {
        let end = nextDeadline + limit
        var ticks = 0
        while nextDeadline <= end, ticks < 10_000 {
            ticks += 1
            let at = nextDeadline
            for (datagram, address) in tick(now: at).sends {
                for case .ping(let seq, let target, _) in datagram.messages {
                    return SentPing(datagram: datagram, seq: seq, target: target, address: address, at: at)
                }
            }
        }
        return nil
    }

    /// The first ping the node sends within 10 s of virtual time; a test failure when none came.
    mutating func firstPing(sourceLocation: SourceLocation = #_sourceLocation) throws -> SentPing {
        try #require(nextPing(), "node 0 sent no ping within 10 s", sourceLocation: sourceLocation)
    }

    /// Ticks at each deadline until `time`, collecting effects. A tick that leaves its own
    /// deadline where it was (a core that would spin) is recorded as a failure, not looped on.
    mutating func advance(to time: Duration) -> [MembershipEffect] {
        var effects: [MembershipEffect] = []
        while nextDeadline <= time {
            let at = nextDeadline
            effects += tick(now: at)
            if nextDeadline <= at {
                Issue.record("the tick at \(at) did not move the next deadline (\(nextDeadline)) on")
                break
            }
        }
        return effects
    }
}
