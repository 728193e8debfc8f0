import ShoalCrypto
import ShoalMembership
import Synchronization

/// Certificates already verified against the authority, by their exact bytes, with what they
/// certify: the one place a member's certificate is checked. A push-pull's entries are checked
/// here in the connection's task (`prefilter`), so when the certificate gate on the membership
/// actor asks about the same certificates they are found, not verified again. Bounded: when
/// full it starts over.
final class CertificateCache: CertificateVerifier {
    static let capacity = 16_384

    /// What a verified certificate says, so a hit needs no decoding.
    struct Verified: Sendable {
        let subject: [UInt8]
        let name: String
        let expiresAt: UInt64
    }

    let authority: PublicKey
    private let verified = Mutex<[[UInt8]: Verified]>([:])

    init(authority: PublicKey) { self.authority = authority }

    /// When `encoded` expires if it is a certificate of the authority for `subject` named `name`,
    /// valid at `now`; nil otherwise.
    func expiry(of encoded: [UInt8], for subject: NodeID, name: String, now: UInt64) -> UInt64? {
        if let hit = verified.withLock({ $0[encoded] }) {
            return hit.expiresAt > now && hit.subject == subject.bytes && hit.name == name ? hit.expiresAt : nil
        }
        guard let certificate = try? NodeCertificate(decoding: encoded), (try? certificate.verify(authority: authority, now: now)) != nil,
            certificate.nodeKey.bytes == subject.bytes, certificate.name == name
        else { return nil }
        verified.withLock { table in
            if table.count >= Self.capacity { table.removeAll(keepingCapacity: true) }
            table[encoded] = Verified(subject: subject.bytes, name: name, expiresAt: certificate.expiresAt)
        }
        return certificate.expiresAt
    }

    /// Keeps the entries whose alive statement carries a valid certificate for its subject
    /// (the gate on the actor makes the final call, from this cache).
    func prefilter(_ state: PushPullState, now: UInt64) -> PushPullState {
        let entries = state.entries.filter { entry in
            guard case .alive(let meta) = entry.alive.claim else { return false }
            return expiry(of: meta.certificate, for: entry.alive.subject, name: meta.name, now: now) != nil
        }
        return PushPullState(sender: state.sender, entries: entries, isJoin: state.isJoin)
    }
}

extension CertificateGate where Verifier == CertificateCache {
    /// The agent's gate, verifying certificates of `authority`.
    init(authority: PublicKey, myself: NodeID, capacity: Int = CertificateGate.defaultCapacity) {
        self.init(certificates: CertificateCache(authority: authority), myself: myself, capacity: capacity)
    }

    var authority: PublicKey { certificates.authority }
}
