import ShoalCrypto
import ShoalMembership
import Synchronization

/// Certificates already verified against the authority, by their exact bytes, with their
/// expiry: a push-pull's entries are checked here, in the connection's task, so the membership
/// actor never spends its time on a peer's certificates. Bounded: when full it starts over.
final class CertificateCache: Sendable {
    static let capacity = 16_384
    private let verified = Mutex<[[UInt8]: UInt64]>([:])

    /// Whether `encoded` is a certificate of `authority` for `subject` named `name`, valid at `now`.
    func isValid(_ encoded: [UInt8], for subject: NodeID, name: String, authority: PublicKey, now: UInt64) -> Bool {
        if let expiry = verified.withLock({ $0[encoded] }) { return expiry > now && Self.names(encoded, subject, name) }
        guard let certificate = try? NodeCertificate(decoding: encoded), (try? certificate.verify(authority: authority, now: now)) != nil,
            certificate.nodeKey.bytes == subject.bytes, certificate.name == name
        else { return false }
        verified.withLock { table in
            if table.count >= Self.capacity { table.removeAll(keepingCapacity: true) }
            table[encoded] = certificate.expiresAt
        }
        return true
    }

    /// Keeps the entries whose alive statement carries a valid certificate for its subject
    /// (the sender's own is checked too; the gate on the actor makes the final call).
    func prefilter(_ state: PushPullState, authority: PublicKey, now: UInt64) -> PushPullState {
        let entries = state.entries.filter { entry in
            guard case .alive(let meta) = entry.alive.claim else { return false }
            return isValid(meta.certificate, for: entry.alive.subject, name: meta.name, authority: authority, now: now)
        }
        return PushPullState(sender: state.sender, entries: entries, isJoin: state.isJoin)
    }

    /// A cached certificate still names the subject and name it was verified for.
    private static func names(_ encoded: [UInt8], _ subject: NodeID, _ name: String) -> Bool {
        guard let certificate = try? NodeCertificate(decoding: encoded) else { return false }
        return certificate.nodeKey.bytes == subject.bytes && certificate.name == name
    }
}
