import ShoalCrypto
import ShoalMembership

/// Admits only members whose alive statement carries a certificate from the cluster's
/// authority for that very key and name ("a node without a certificate cannot join").
///
/// Every statement is judged on its own: an alive statement by the certificate it carries, an
/// accusation by whether both its subject and its accuser are certified. Whoever relays a
/// statement adds nothing to its proof, so statements in a datagram from a sender whose
/// certificate this node has not seen yet are still taken; the sender's pings, acks and probe
/// requests are not, unless the same datagram carries the sender's own certified alive
/// statement (a joiner's probes do, see `Membership.introduction(to:)`). Push-pull streams
/// are refused unless the sender statement that opens them is certified.
struct CertificateGate: Sendable {
    let authority: PublicKey
    private(set) var certified: Set<NodeID> = []

    init(authority: PublicKey, myself: NodeID) {
        self.authority = authority
        certified.insert(myself)
    }

    func isCertified(_ id: NodeID) -> Bool { certified.contains(id) }

    /// Checks an alive statement's certificate, remembering the subject when it passes; then,
    /// for every statement, whether its subject and its signer (the accuser, or for an alive
    /// statement the subject itself) are both certified.
    mutating func admit(_ statement: Statement, now: UInt64) -> Bool {
        if case .alive(let meta) = statement.claim, !certified.contains(statement.subject) {
            guard let certificate = try? NodeCertificate(decoding: meta.certificate),
                (try? certificate.verify(authority: authority, now: now)) != nil,
                certificate.nodeKey.bytes == statement.subject.bytes, certificate.name == meta.name
            else { return false }
            certified.insert(statement.subject)
        }
        return vouchedFor(statement)
    }

    private func vouchedFor(_ statement: Statement) -> Bool {
        certified.contains(statement.subject) && certified.contains(statement.signer)
    }

    /// What the gate lets through of one datagram from `sender`.
    struct Admitted {
        var datagram: Datagram
        /// Statements refused for want of a valid certificate.
        var refusedStatements = 0
        /// Pings, acks, nacks and probe requests refused because the sender is not certified.
        var refusedMessages = 0
        /// Pings, probe requests and nacks refused because they name someone other than the
        /// envelope's signer as their sender (replies are sealed for whoever they name).
        var impersonations = 0
    }

    /// Keeps the statements that pass `admit`, and the other messages when `sender` is
    /// certified (alive statements are checked first, so a datagram may certify its sender).
    mutating func filter(_ datagram: Datagram, from sender: NodeID, now: UInt64) -> Admitted {
        for case .gossip(let statement) in datagram.messages where statement.status == .alive {
            _ = admit(statement, now: now)
        }
        let senderCertified = certified.contains(sender)
        var admitted = Admitted(datagram: Datagram(messages: []))
        for message in datagram.messages {
            switch message {
            case .gossip(let statement):
                guard vouchedFor(statement) else {
                    admitted.refusedStatements += 1
                    continue
                }
            case .join(let statement):
                guard senderCertified, admit(statement, now: now) else {
                    admitted.refusedMessages += 1
                    continue
                }
            case .ping(_, _, let from), .pingReq(_, _, _, let from), .nack(_, let from):
                guard senderCertified else {
                    admitted.refusedMessages += 1
                    continue
                }
                guard from == sender else {
                    admitted.impersonations += 1
                    continue
                }
            case .ack:
                // An ack relayed by a probe helper names the probed member, not its signer.
                guard senderCertified else {
                    admitted.refusedMessages += 1
                    continue
                }
            }
            admitted.datagram.messages.append(message)
        }
        return admitted
    }

    /// Keeps the push-pull entries whose alive statement is certified; nil when the sender is not.
    mutating func filter(_ state: PushPullState, now: UInt64) -> PushPullState? {
        guard admit(state.sender, now: now) else { return nil }
        let entries = state.entries.filter { admit($0.alive, now: now) }
        return PushPullState(sender: state.sender, entries: entries, isJoin: state.isJoin)
    }
}
