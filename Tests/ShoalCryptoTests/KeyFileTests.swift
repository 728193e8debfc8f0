import Testing
import ShoalCrypto

@Suite("Key files")
struct KeyFileTests {
    @Test("a created key file has mode 0600 and reloads to the same key")
    func createAndReload() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("node.key")
        let (key, created) = try KeyFile.loadOrCreate(at: path)
        #expect(created)
        #expect(try dir.mode(of: "node.key") == 0o600)
        let (again, createdAgain) = try KeyFile.loadOrCreate(at: path)
        #expect(!createdAgain)
        #expect(again.seed == key.seed)
        #expect(try KeyFile.load(at: path).publicKey == key.publicKey)
    }

    @Test("a key file readable by others is refused and the message says how to fix it")
    func insecureMode() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("node.key")
        try KeyFile.write(SigningKey.generate(), to: path)
        _ = try dir.write(String(decoding: try readBytes(path), as: UTF8.self), to: "open.key", mode: 0o644)
        let open = dir.file("open.key")
        #expect(throws: CryptoError.keyFileInsecure(path: open, mode: 0o644)) { try KeyFile.load(at: open) }
        #expect(CryptoError.keyFileInsecure(path: open, mode: 0o644).description.contains("chmod 600 \(open)"))
    }

    @Test("corrupt key files are refused as corrupt", arguments: [
        "shoal-ed25519-public-v1\n" + String(repeating: "ab", count: 32) + "\n",
        "shoal-ed25519-secret-v1\n" + String(repeating: "zz", count: 32) + "\n",
        "shoal-ed25519-secret-v1\n" + String(repeating: "ab", count: 31) + "\n",
        "shoal-ed25519-secret-v1\n",
        "",
        "shoal-ed25519-secret-v1\n" + String(repeating: "ab", count: 32) + "\nextra\n",
    ])
    func corrupt(content: String) throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write(content, to: "node.key", mode: 0o600)
        #expect {
            try KeyFile.load(at: path)
        } throws: { error in
            guard case .keyFileCorrupt(let reported, _) = error as? CryptoError else { return false }
            return reported == path
        }
    }

    @Test("loading a missing key file says it is missing")
    func missing() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("absent.key")
        #expect(throws: CryptoError.keyFileMissing(path: path)) { try KeyFile.load(at: path) }
    }

    @Test("writing never replaces an existing key file")
    func refusesOverwrite() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("node.key")
        let original = SigningKey.generate()
        try KeyFile.write(original, to: path)
        #expect(throws: CryptoError.alreadyExists(path: path)) { try KeyFile.write(SigningKey.generate(), to: path) }
        #expect(try KeyFile.load(at: path).seed == original.seed)
    }

    @Test("the public key loads from a .pub file (mode 0644) and from the secret key file")
    func loadPublic() throws {
        let dir = try TemporaryDirectory()
        let key = SigningKey.generate()
        try KeyFile.write(key, to: dir.file("node.key"))
        try KeyFile.writePublic(key.publicKey, to: dir.file("node.pub"))
        #expect(try dir.mode(of: "node.pub") == 0o644)
        #expect(try KeyFile.loadPublic(at: dir.file("node.pub")) == key.publicKey)
        #expect(try KeyFile.loadPublic(at: dir.file("node.key")) == key.publicKey)
    }

    @Test("the secret key file format is the documented two-line text")
    func format() throws {
        let dir = try TemporaryDirectory()
        let key = try SigningKey(seed: [UInt8](repeating: 0xab, count: 32))
        try KeyFile.write(key, to: dir.file("node.key"))
        let text = String(decoding: try readBytes(dir.file("node.key")), as: UTF8.self)
        #expect(text == "shoal-ed25519-secret-v1\n" + String(repeating: "ab", count: 32) + "\n")
    }
}
