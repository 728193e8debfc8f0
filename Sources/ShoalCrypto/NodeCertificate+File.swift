/// Text armor for certificate files: `shoal-certificate-v1\n<hex of encoded()>\n`, mode 0644.
extension NodeCertificate {
    /// First line of a certificate file.
    public static let fileHeader = "shoal-certificate-v1"

    /// Writes the certificate to `path` (mode 0644) atomically, replacing any existing file:
    /// a renewed certificate overwrites the old one, and readers see one or the other whole.
    public func write(to path: String) throws(CryptoError) {
        let text = "\(Self.fileHeader)\n\(Hex.encode(encoded()))\n"
        try FileSystem.writeAtomically(Array(text.utf8), to: path, mode: 0o644, overwrite: true)
    }

    /// Reads a certificate file written by `write(to:)`. A missing or unreadable file is
    /// `fileSystem`; anything that is not a well-formed certificate is `certificateMalformed`.
    /// It does not check the signature: call `verify`.
    public static func load(from path: String) throws(CryptoError) -> NodeCertificate {
        let contents: FileSystem.Contents
        do {
            contents = try FileSystem.read(path)
        } catch .keyFileMissing {
            throw .fileSystem(path: path, reason: "certificate file does not exist")
        } catch .keyFileCorrupt(_, let reason) {
            throw .certificateMalformed(reason: "\(path): \(reason)")
        }
        guard let text = String(validating: contents.bytes, as: UTF8.self) else {
            throw .certificateMalformed(reason: "\(path) is not UTF-8 text")
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }
        guard lines.count == 2, lines[0] == fileHeader else {
            throw .certificateMalformed(reason: "\(path) is not a certificate file (expected \"\(fileHeader)\" then one hex line)")
        }
        let bytes: [UInt8]
        do {
            bytes = try Hex.decode(String(lines[1]), what: "certificate")
        } catch {
            throw .certificateMalformed(reason: "\(path): second line is not hex")
        }
        return try NodeCertificate(decoding: bytes)
    }
}
