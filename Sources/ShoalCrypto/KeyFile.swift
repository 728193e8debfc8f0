/// Reads and writes Ed25519 keys as small text files.
///
/// Secret: `shoal-ed25519-secret-v1\n<64 hex seed>\n`, mode 0600.
/// Public: `shoal-ed25519-public-v1\n<64 hex public key>\n`, mode 0644.
/// Writes are atomic and never replace an existing file.
public enum KeyFile {
    /// First line of a secret key file.
    public static let secretHeader = "shoal-ed25519-secret-v1"
    /// First line of a public key file.
    public static let publicHeader = "shoal-ed25519-public-v1"

    /// Loads the secret key at `path`, or generates one and writes it there (0600) if the file
    /// does not exist. `created` is true when a new key was made.
    public static func loadOrCreate(at path: String) throws(CryptoError) -> (key: SigningKey, created: Bool) {
        do {
            return (try load(at: path), false)
        } catch .keyFileMissing {
            let key = SigningKey.generate()
            do {
                try write(key, to: path)
                return (key, true)
            } catch .alreadyExists {
                // Another process created it between our read and write: use theirs.
                return (try load(at: path), false)
            }
        }
    }

    /// Loads a secret key file. Refuses a file whose mode grants any group or other access
    /// (`keyFileInsecure`, or `keyFileLinkInsecure` naming the link's target), anything but a
    /// regular file (`notARegularFile`, without blocking on a FIFO), a file that is not exactly the documented format (`keyFileCorrupt`)
    /// and a missing file (`keyFileMissing`).
    public static func load(at path: String) throws(CryptoError) -> SigningKey {
        let contents = try FileSystem.read(path)
        try checkPrivate(contents, path: path)
        let (header, hex) = try parse(contents.bytes, path: path)
        guard header == secretHeader else {
            throw .keyFileCorrupt(path: path, reason: "first line is not \"\(secretHeader)\"")
        }
        return try SigningKey(seed: decodeKeyHex(hex, path: path))
    }

    /// Writes `key`'s seed to `path` with mode 0600, atomically; refuses to replace an existing
    /// file (`alreadyExists`).
    public static func write(_ key: SigningKey, to path: String) throws(CryptoError) {
        let text = "\(secretHeader)\n\(Hex.encode(key.seed))\n"
        try FileSystem.writeAtomically(Array(text.utf8), to: path, mode: 0o600, overwrite: false)
    }

    /// Writes a public key to `path` with mode 0644, atomically; refuses to replace an existing
    /// file (`alreadyExists`).
    public static func writePublic(_ key: PublicKey, to path: String) throws(CryptoError) {
        let text = "\(publicHeader)\n\(key.hex)\n"
        try FileSystem.writeAtomically(Array(text.utf8), to: path, mode: 0o644, overwrite: false)
    }

    /// Loads a public key from a public key file, or derives it from a secret key file (which must
    /// still pass the same permission check as `load(at:)`).
    public static func loadPublic(at path: String) throws(CryptoError) -> PublicKey {
        let contents = try FileSystem.read(path)
        let (header, hex) = try parse(contents.bytes, path: path)
        switch header {
        case publicHeader:
            return try PublicKey(bytes: decodeKeyHex(hex, path: path))
        case secretHeader:
            try checkPrivate(contents, path: path)
            return try SigningKey(seed: decodeKeyHex(hex, path: path)).publicKey
        default:
            throw .keyFileCorrupt(path: path, reason: "first line is neither \"\(publicHeader)\" nor \"\(secretHeader)\"")
        }
    }

    /// Refuses a secret key file whose mode grants any group or other access.
    ///
    /// A key reached through a symbolic link is read, not refused: secret stores (Kubernetes secret
    /// volumes, configuration management) hand keys out as links, and refusing them would push
    /// operators into copying secrets around. What a security reviewer needs is that nothing is
    /// hidden: the mode checked is the mode of the file actually opened (`fstat` of its descriptor),
    /// and the message names that file, so a `chmod` an operator pastes lands on the file they were
    /// shown, never on a target they did not know the link had.
    private static func checkPrivate(_ contents: FileSystem.Contents, path: String) throws(CryptoError) {
        guard contents.mode & 0o077 == 0 else {
            if let target = contents.linkTarget {
                throw .keyFileLinkInsecure(path: path, target: target, mode: contents.mode)
            }
            throw .keyFileInsecure(path: path, mode: contents.mode)
        }
    }

    /// Splits a key file into its header and hex lines. Accepts a missing final newline, nothing else.
    private static func parse(_ bytes: [UInt8], path: String) throws(CryptoError) -> (header: String, hex: String) {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .keyFileCorrupt(path: path, reason: "file is not UTF-8 text")
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }
        guard lines.count == 2 else {
            throw .keyFileCorrupt(path: path, reason: "expected 2 lines (header and hex key), found \(lines.count)")
        }
        return (String(lines[0]), String(lines[1]))
    }

    private static func decodeKeyHex(_ hex: String, path: String) throws(CryptoError) -> [UInt8] {
        let bytes: [UInt8]
        do {
            bytes = try Hex.decode(hex, what: "key")
        } catch {
            throw .keyFileCorrupt(path: path, reason: "second line is not hex")
        }
        guard bytes.count == 32 else {
            throw .keyFileCorrupt(path: path, reason: "key is \(bytes.count) bytes, expected 32")
        }
        return bytes
    }
}
