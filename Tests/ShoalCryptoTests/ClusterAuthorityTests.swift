import Testing
import ShoalCrypto

@Suite("Cluster authority")
struct ClusterAuthorityTests {
    @Test("initialize writes authority.key (0600) and authority.pub that load back")
    func initializeAndLoad() throws {
        let dir = try TemporaryDirectory()
        let authorityDir = dir.file("ca/nested")
        let authority = try ClusterAuthority.initialize(directory: authorityDir)
        #expect(try dir.mode(of: "ca/nested") == 0o700)
        #expect(try dir.mode(of: "ca/nested/authority.key") == 0o600)
        #expect(try ClusterAuthority.loadSecret(directory: authorityDir)?.publicKey == authority.publicKey)
        #expect(try ClusterAuthority.loadPublic(directory: authorityDir) == authority.publicKey)
    }

    @Test("initializing a directory that already has an authority is refused")
    func initializeTwice() throws {
        let dir = try TemporaryDirectory()
        let first = try ClusterAuthority.initialize(directory: dir.path)
        #expect(throws: CryptoError.alreadyExists(path: dir.file("authority.key"))) {
            try ClusterAuthority.initialize(directory: dir.path)
        }
        #expect(try ClusterAuthority.loadPublic(directory: dir.path) == first.publicKey)
    }

    @Test("loadSecret is nil and loadPublic is missing for an empty directory")
    func emptyDirectory() throws {
        let dir = try TemporaryDirectory()
        #expect(try ClusterAuthority.loadSecret(directory: dir.path) == nil)
        #expect(throws: CryptoError.keyFileMissing(path: dir.file("authority.pub"))) {
            try ClusterAuthority.loadPublic(directory: dir.path)
        }
    }

    @Test("the public key is derived from authority.key when authority.pub is absent")
    func derivePublic() throws {
        let dir = try TemporaryDirectory()
        let key = SigningKey.generate()
        try KeyFile.write(key, to: dir.file("authority.key"))
        #expect(try ClusterAuthority.loadPublic(directory: dir.path) == key.publicKey)
    }

    @Test("the cluster id is the first 8 bytes of BLAKE2b-256 of the authority key")
    func clusterID() throws {
        let authority = ClusterAuthority(signingKey: .generate())
        let expected = Array(Blake2b.hash256(authority.publicKey.bytes).bytes.prefix(8))
        #expect(authority.clusterID.bytes == expected)
        #expect(authority.clusterID.hex.count == 16)
        #expect(try ClusterID(bytes: expected) == authority.clusterID)
        #expect(throws: CryptoError.self) { try ClusterID(bytes: [1, 2]) }
    }
}
