import ShoalCrypto
import ShoalMembership

/// Admits only members whose alive statement carries a certificate from the cluster's
/// authority for that very key and name ("a node without a certificate cannot join").
///
/// Statements about uncertified nodes are removed before the core sees them, and
/// datagrams from senders not yet certified are dropped: a node first proves itself
/// over a push-pull stream, whose sender statement carries its certificate.
struct CertificateGate: Sendable {
    let authority: PublicKey
    private(set) var certified: Set<NodeID> = []

    init(authority: PublicKey, myself: NodeID) {
        self.authority = authority
        certified.insert(myself)
    }

    func isCertified(_ id: NodeID) -> Bool { certified.contains(id) }

    /// Checks an alive statement's certificate; remembers the subject when it passes.
    mutating func admit(_ statement: Statement, now: UInt64) -> Bool {
        guard case .alive(let meta) = statement.claim else { return certified.contains(statement.subject) }
        if certified.contains(statement.subject) { return true }
        guard let certificate = try? NodeCertificate(decoding: meta.certificate),
            (try? certificate.verify(authority: authority, now: now)) != nil,
            certificate.nodeKey.bytes == statement.subject.bytes, certificate.name == meta.name
        else { return false }
        certified.insert(statement.subject)
        return true
    }

    /// Keeps the messages of a datagram that speak of certified nodes only.
    mutating func filter(_ datagram: Datagram, now: UInt64) -> (kept: Datagram, dropped: Int) {
        var kept: [MembershipMessage] = []
        var dropped = 0
        for message in datagram.messages {
            switch message {
            case .gossip(let statement), .join(let statement):
                if admit(statement, now: now) { kept.append(message) } else { dropped += 1 }
            default:
                kept.append(message)
            }
        }
        return (Datagram(messages: kept), dropped)
    }

    /// Keeps the push-pull entries whose alive statement is certified; nil when the sender is not.
    mutating func filter(_ state: PushPullState, now: UInt64) -> PushPullState? {
        guard admit(state.sender, now: now) else { return nil }
        let entries = state.entries.filter { admit($0.alive, now: now) }
        return PushPullState(sender: state.sender, entries: entries, isJoin: state.isJoin)
    }
}
