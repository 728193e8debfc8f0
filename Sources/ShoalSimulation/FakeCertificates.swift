public import ShoalMembership

/// The simulator's stand-in for the cluster authority's certificates: node `i`'s certificate is
/// the bytes its metadata carries, valid for that node and name only, until its expiry. Lets
/// every simulated node run the agent's own `CertificateGate`.
public struct FakeCertificates: CertificateVerifier {
    struct Issued: Sendable {
        var certificate: [UInt8]
        var name: String
        var expiresAt: UInt64
    }

    let issued: [NodeID: Issued]

    init(issued: [NodeID: Issued]) {
        self.issued = issued
    }

    /// The expiry of `certificate` when it is the one issued to `subject` as `name` and has not
    /// expired at `now`.
    public func expiry(of certificate: [UInt8], for subject: NodeID, name: String, now: UInt64) -> UInt64? {
        guard let issued = issued[subject], issued.name == name, issued.certificate == certificate, now < issued.expiresAt else {
            return nil
        }
        return issued.expiresAt
    }
}
