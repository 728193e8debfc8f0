/// Checks a member's certificate: when it expires, if `certificate` is a certificate of the
/// cluster's authority for `subject` named `name` and valid at `now` (unix seconds); nil
/// otherwise. The agent's verifies Ed25519 certificates (and caches them); the simulator's
/// stands in for them.
public protocol CertificateVerifier: Sendable {
    /// The certificate's expiry (unix seconds) when it certifies `subject` as `name` at `now`.
    func expiry(of certificate: [UInt8], for subject: NodeID, name: String, now: UInt64) -> UInt64?
}

/// Admits only members whose alive statement carries a certificate from the cluster's
/// authority for that very key and name ("a node without a certificate cannot join"), and
/// only while that certificate lasts.
///
/// Every statement is judged on its own: an alive statement by the certificate it carries, an
/// accusation by whether its accuser is certified and its subject was admitted. Whoever relays
/// a statement adds nothing to its proof, so statements in a datagram from a sender whose
/// certificate this node has not seen yet are still taken; the sender's pings, acks and probe
/// requests are not, unless the same datagram carries the sender's own certified alive
/// statement (a joiner's probes do, see `Membership.introduction(to:)`). Push-pull streams
/// are refused unless the sender statement that opens them is certified, and their entries
/// are judged like gossip (`filter(_:now:)` for a push-pull).
///
/// **Expiry.** The gate keeps each admitted member's certificate expiry and checks it against
/// `now` on every use: once it has passed, the member's own messages and statements are
/// refused (so the core stops hearing its acks and suspects it), until an alive statement
/// carrying a valid certificate admits it again. A certificate is checked when a member is
/// first seen, when its admission has expired, and when an alive statement of a newer
/// incarnation arrives (a renewed certificate comes with a restart, which is a new
/// incarnation); other alive statements of an admitted member cost no certificate check.
/// Accusations about a member whose certificate expired still pass, so that the cluster can
/// declare it failed.
///
/// **Bound.** At most `capacity` members are remembered; the shell forgets each member the core
/// reaps (`forget(_:)`). When full, expired admissions make room; when none has expired, a new
/// member is refused until one does or is reaped.
///
/// Pure (it lives beside the core so that the simulator runs this very rule); the shell runs
/// it in front of the core, with certificates checked by its `Verifier`.
public struct CertificateGate<Verifier: CertificateVerifier>: Sendable {
    /// Room for the largest cluster Shoal is measured at, ten times over.
    public static var defaultCapacity: Int { 100_000 }

    /// An admitted member: when its certificate expires, and the incarnation of the alive
    /// statement that carried it.
    public struct Admission: Equatable, Sendable {
        /// When the member's certificate expires (unix seconds).
        public var expiresAt: UInt64
        /// The incarnation of the alive statement whose certificate was checked.
        public var incarnation: UInt64
    }

    /// Where certificates are verified (the agent shares it with the push-pull path, which
    /// fills it off the actor).
    public let certificates: Verifier
    /// This node, certified by definition.
    public let myself: NodeID
    /// At most this many members are remembered.
    public let capacity: Int
    /// The members admitted so far.
    public private(set) var admissions: [NodeID: Admission] = [:]

    /// A gate that has admitted nobody yet.
    public init(certificates: Verifier, myself: NodeID, capacity: Int = Self.defaultCapacity) {
        self.certificates = certificates
        self.myself = myself
        self.capacity = capacity
    }

    /// Whether `id` holds a certificate this node checked that has not expired at `now` (unix seconds).
    public func isCertified(_ id: NodeID, now: UInt64) -> Bool {
        if id == myself { return true }
        guard let admission = admissions[id] else { return false }
        return now < admission.expiresAt
    }

    /// Drops what the gate knows of `id` (the core reaped it); its next alive statement must
    /// carry a valid certificate again.
    public mutating func forget(_ id: NodeID) {
        admissions[id] = nil
    }

    /// Checks an alive statement's certificate when it needs checking (see the type's comment),
    /// remembering the subject when it passes; then, for every statement, whether its signer
    /// is certified and its subject admitted.
    public mutating func admit(_ statement: Statement, now: UInt64) -> Bool {
        if case .alive(let meta) = statement.claim, statement.subject != myself, needsCheck(statement, now: now) {
            guard let expiresAt = certificates.expiry(of: meta.certificate, for: statement.subject, name: meta.name, now: now),
                makeRoom(for: statement.subject, now: now)
            else { return false }
            admissions[statement.subject] = Admission(expiresAt: expiresAt, incarnation: statement.incarnation)
        }
        return vouchedFor(statement, now: now)
    }

    private func needsCheck(_ alive: Statement, now: UInt64) -> Bool {
        guard let admission = admissions[alive.subject] else { return true }
        return now >= admission.expiresAt || alive.incarnation > admission.incarnation
    }

    /// Whether `id` may be stored: it is already, or there is room, if need be after
    /// dropping the expired admissions.
    private mutating func makeRoom(for id: NodeID, now: UInt64) -> Bool {
        if admissions[id] != nil || admissions.count < capacity { return true }
        admissions = admissions.filter { now < $0.value.expiresAt }
        return admissions.count < capacity
    }

    private func vouchedFor(_ statement: Statement, now: UInt64) -> Bool {
        isCertified(statement.signer, now: now) && (statement.subject == myself || admissions[statement.subject] != nil)
    }

    /// What the gate lets through of one datagram from `sender`.
    public struct Admitted: Sendable {
        /// The messages that passed.
        public var datagram: Datagram
        /// Statements refused for want of a valid certificate.
        public var refusedStatements = 0
        /// Pings, acks, nacks and probe requests refused because the sender is not certified.
        public var refusedMessages = 0
        /// Pings, probe requests and nacks refused because they name someone other than the
        /// envelope's signer as their sender (replies are sealed for whoever they name).
        public var impersonations = 0
    }

    /// Keeps the statements that pass `admit`, and the other messages when `sender` is
    /// certified (alive statements are checked first, so a datagram may certify its sender).
    public mutating func filter(_ datagram: Datagram, from sender: NodeID, now: UInt64) -> Admitted {
        for case .gossip(let statement) in datagram.messages where statement.status == .alive {
            _ = admit(statement, now: now)
        }
        let senderCertified = isCertified(sender, now: now)
        var admitted = Admitted(datagram: Datagram(messages: []))
        for message in datagram.messages {
            switch message {
            case .gossip(let statement):
                guard vouchedFor(statement, now: now) else {
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

    /// What the gate lets through of one push-pull.
    public struct AdmittedState: Sendable {
        /// The exchange with only the entries that passed.
        public var state: PushPullState
        /// Entries whose alive statement carries no valid certificate.
        public var refusedEntries = 0
        /// Entries dropped because their accusation is not vouched for.
        public var refusedAccusations = 0
    }

    /// Keeps the push-pull entries whose alive statement is certified and whose accusation, if
    /// any, passes as it would by gossip (a certified accuser, an admitted subject); nil when the
    /// sender is not certified. Every alive statement is admitted first, so an accuser listed
    /// after its accusation in the same exchange counts.
    ///
    /// An entry whose accusation does not pass is dropped whole. Keeping its alive statement
    /// without the accusation would turn a tombstone into a live member (a stranger would join
    /// a member long dead); dropping it leaves this node's view of that member as it was, to be
    /// judged by its own probes, as when gossip brings such an accusation.
    public mutating func filter(_ state: PushPullState, now: UInt64) -> AdmittedState? {
        guard admit(state.sender, now: now) else { return nil }
        let certified = state.entries.filter { admit($0.alive, now: now) }
        let entries = certified.filter { entry in entry.accusation.map { vouchedFor($0, now: now) } ?? true }
        return AdmittedState(
            state: PushPullState(sender: state.sender, entries: entries, isJoin: state.isJoin),
            refusedEntries: state.entries.count - certified.count, refusedAccusations: certified.count - entries.count)
    }
}
