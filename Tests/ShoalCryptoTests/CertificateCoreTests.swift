import Testing

@testable import ShoalCrypto

@Suite("certificate cores")
struct CertificateCoreTests {
    let authority = ClusterAuthority(signingKey: .generate())
    let node = SigningKey.generate()

    @Test("a core is the certificate less what the receiver knows, and rebuilds to the same bytes, labels and all")
    func roundTrip() throws {
        for labels in [[:], ["zone": "eu-1", "gpu": "none"]] {
            let certificate = try authority.issue(nodeKey: node.publicKey, name: "web-1", expiresAt: 2_000_000_000, labels: labels)
            let encoded = certificate.encoded()
            let core = try #require(
                NodeCertificate.core(
                    of: encoded, nodeKey: node.publicKey.bytes, name: "web-1", authorityKey: authority.publicKey.bytes),
                "a certificate of this authority for this key and name has a core")
            #expect(core.count == encoded.count - NodeCertificate.coreOmittedBytes - "web-1".utf8.count)
            let rebuilt = NodeCertificate.rebuild(
                core: core, nodeKey: node.publicKey.bytes, name: "web-1", authorityKey: authority.publicKey.bytes)
            #expect(rebuilt == encoded)
            try NodeCertificate(decoding: rebuilt).verify(authority: authority.publicKey, now: 1)
        }
    }

    @Test("a certificate for another key, another name or from another authority has no core")
    func noCoreForOthers() throws {
        let encoded = try authority.issue(nodeKey: node.publicKey, name: "web-1", expiresAt: 2_000_000_000).encoded()
        let key = node.publicKey.bytes, authorityKey = authority.publicKey.bytes
        #expect(NodeCertificate.core(of: encoded, nodeKey: SigningKey.generate().publicKey.bytes, name: "web-1", authorityKey: authorityKey) == nil)
        #expect(NodeCertificate.core(of: encoded, nodeKey: key, name: "web-2", authorityKey: authorityKey) == nil)
        #expect(NodeCertificate.core(of: encoded, nodeKey: key, name: "web-", authorityKey: authorityKey) == nil)
        #expect(NodeCertificate.core(of: encoded, nodeKey: key, name: "web-1", authorityKey: SigningKey.generate().publicKey.bytes) == nil)
        #expect(NodeCertificate.core(of: Array(encoded.prefix(60)), nodeKey: key, name: "web-1", authorityKey: authorityKey) == nil)
    }

    @Test("a core rebuilt for another key, name or authority is a certificate that does not verify for them")
    func rebuiltForOthersFails() throws {
        let encoded = try authority.issue(nodeKey: node.publicKey, name: "web-1", expiresAt: 2_000_000_000).encoded()
        let core = try #require(
            NodeCertificate.core(of: encoded, nodeKey: node.publicKey.bytes, name: "web-1", authorityKey: authority.publicKey.bytes))
        let other = SigningKey.generate().publicKey
        for (key, name, authorityKey) in [
            (other, "web-1", authority.publicKey), (node.publicKey, "web-2", authority.publicKey), (node.publicKey, "web-1", other),
        ] {
            let rebuilt = NodeCertificate.rebuild(core: core, nodeKey: key.bytes, name: name, authorityKey: authorityKey.bytes)
            // It decodes (a well-formed certificate for them), and only the signature gives it away.
            let certificate = try NodeCertificate(decoding: rebuilt)
            #expect(throws: CryptoError.certificateNotSignedByAuthority(name: name)) {
                try certificate.verify(authority: authorityKey, now: 1)
            }
        }
        for short in [[], Array(core.prefix(10)), Array(core.suffix(64))] {
            let rebuilt = NodeCertificate.rebuild(
                core: short, nodeKey: node.publicKey.bytes, name: "web-1", authorityKey: authority.publicKey.bytes)
            #expect(throws: CryptoError.self) { try NodeCertificate(decoding: rebuilt) }
        }
    }
}
