import Testing
import ShoalCrypto

@Suite("Node certificates")
struct NodeCertificateTests {
    let authority = ClusterAuthority(signingKey: .generate())
    let node = SigningKey.generate()

    func sample() throws -> NodeCertificate {
        try authority.issue(nodeKey: node.publicKey, name: "node-a.eu_1", expiresAt: 2_000,
                            labels: ["zone": "eu-1", "role": "storage", "empty": ""])
    }

    @Test("an issued certificate verifies against its authority before expiry")
    func issueAndVerify() throws {
        let certificate = try sample()
        try certificate.verify(authority: authority.publicKey, now: 1_999)
        try certificate.verify(authority: authority.publicKey, now: 1_000, nodeKey: node.publicKey)
        #expect(certificate.authorityKey == authority.publicKey)
        #expect(certificate.labels["zone"] == "eu-1")
    }

    @Test("a certificate from another authority is rejected")
    func otherAuthority() throws {
        let other = ClusterAuthority(signingKey: .generate())
        #expect(throws: CryptoError.certificateNotSignedByAuthority(name: "node-a.eu_1")) {
            try sample().verify(authority: other.publicKey, now: 0)
        }
    }

    @Test("a certificate that claims the right authority but was signed by another key is rejected")
    func forgedAuthorityField() throws {
        let forger = ClusterAuthority(signingKey: .generate())
        var bytes = try forger.issue(nodeKey: node.publicKey, name: "node-a", expiresAt: 2_000).encoded()
        // Replace the authority key field (just before the 64-byte signature) with the real one.
        let keyStart = bytes.count - 64 - 32
        bytes.replaceSubrange(keyStart..<keyStart + 32, with: authority.publicKey.bytes)
        let forged = try NodeCertificate(decoding: bytes)
        #expect(throws: CryptoError.certificateNotSignedByAuthority(name: "node-a")) {
            try forged.verify(authority: authority.publicKey, now: 0)
        }
    }

    @Test("an expired certificate is rejected, from its expiry second on")
    func expired() throws {
        #expect(throws: CryptoError.certificateExpired(name: "node-a.eu_1", expiredAt: 2_000)) {
            try sample().verify(authority: authority.publicKey, now: 2_000)
        }
    }

    @Test("a certificate presented by a different node key is rejected")
    func keyMismatch() throws {
        #expect(throws: CryptoError.certificateKeyMismatch(name: "node-a.eu_1")) {
            try sample().verify(authority: authority.publicKey, now: 0, nodeKey: SigningKey.generate().publicKey)
        }
    }

    @Test("encoding round-trips and starts with SHC1")
    func roundTrip() throws {
        let certificate = try sample()
        let bytes = certificate.encoded()
        #expect(Array(bytes.prefix(4)) == Array("SHC1".utf8))
        #expect(try NodeCertificate(decoding: bytes) == certificate)
        #expect(try NodeCertificate(decoding: bytes).encoded() == bytes)
    }

    @Test("every single-bit flip gives a decode error or a certificate that fails verification")
    func bitFlips() throws {
        let bytes = try sample().encoded()
        for index in bytes.indices {
            for bit in 0..<8 {
                var tampered = bytes
                tampered[index] ^= UInt8(1 << bit)
                guard let decoded = try? NodeCertificate(decoding: tampered) else { continue }
                #expect(throws: CryptoError.self) { try decoded.verify(authority: authority.publicKey, now: 0) }
            }
        }
    }

    @Test("every truncation is a malformed-certificate error")
    func truncations() throws {
        let bytes = try sample().encoded()
        for length in 0..<bytes.count {
            #expect {
                try NodeCertificate(decoding: Array(bytes.prefix(length)))
            } throws: { error in
                guard case .certificateMalformed = error as? CryptoError else { return false }
                return true
            }
        }
    }

    @Test("a key of the wrong length is a malformed certificate, not a key-length error")
    func wrongKeyLength() throws {
        let bytes = try sample().encoded()
        // The node key's length prefix says 0 and its 32 bytes are gone (found by fuzz-certificate).
        let keyless = Array(bytes.prefix(4)) + [0, 0] + Array(bytes.dropFirst(4 + 2 + 32))
        #expect {
            try NodeCertificate(decoding: keyless)
        } throws: { error in
            guard case .certificateMalformed = error as? CryptoError else { return false }
            return true
        }
    }

    @Test("trailing bytes and oversized input are malformed")
    func extraBytes() throws {
        let bytes = try sample().encoded()
        #expect(throws: CryptoError.self) { try NodeCertificate(decoding: bytes + [0]) }
        #expect(throws: CryptoError.self) { try NodeCertificate(decoding: [UInt8](repeating: 0, count: 16 * 1024 + 1)) }
    }

    @Test("issuing refuses bad names and oversized labels", arguments: ["", "has space", "ünicode", String(repeating: "a", count: 65)])
    func badNames(name: String) {
        #expect(throws: CryptoError.self) { try authority.issue(nodeKey: node.publicKey, name: name, expiresAt: 1) }
    }

    @Test("issuing refuses too many or too long labels")
    func badLabels() {
        let many = Dictionary(uniqueKeysWithValues: (0..<65).map { ("k\($0)", "v") })
        #expect(throws: CryptoError.self) { try authority.issue(nodeKey: node.publicKey, name: "n", expiresAt: 1, labels: many) }
        let long = ["k": String(repeating: "v", count: 129)]
        #expect(throws: CryptoError.self) { try authority.issue(nodeKey: node.publicKey, name: "n", expiresAt: 1, labels: long) }
        #expect(throws: CryptoError.self) { try authority.issue(nodeKey: node.publicKey, name: "n", expiresAt: 1, labels: ["": "v"]) }
    }

    @Test("a certificate file round-trips, is mode 0644 and may be overwritten by a renewal")
    func fileRoundTrip() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("node.cert")
        let certificate = try sample()
        try certificate.write(to: path)
        #expect(try dir.mode(of: "node.cert") == 0o644)
        #expect(try NodeCertificate.load(from: path) == certificate)
        let renewed = try authority.issue(nodeKey: node.publicKey, name: "node-a.eu_1", expiresAt: 9_000)
        try renewed.write(to: path)
        #expect(try NodeCertificate.load(from: path) == renewed)
    }

    @Test("a certificate file with the wrong header is malformed")
    func badFile() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("not-a-certificate\nabcd\n", to: "node.cert", mode: 0o644)
        #expect {
            try NodeCertificate.load(from: path)
        } throws: { error in
            guard case .certificateMalformed = error as? CryptoError else { return false }
            return true
        }
    }
}
