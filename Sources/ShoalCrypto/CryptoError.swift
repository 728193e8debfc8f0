/// Every failure ShoalCrypto reports. Each message names the file or value involved and says
/// what the operator can do about it.
public enum CryptoError: Error, Equatable, CustomStringConvertible {
    /// A key, signature, digest or identifier had the wrong number of bytes.
    case invalidLength(what: String, expected: Int, actual: Int)
    /// A textual or binary value could not be parsed (for example hex with a non-hex character).
    case invalidEncoding(what: String, reason: String)
    /// A secret key file is readable or writable by the group or other users.
    case keyFileInsecure(path: String, mode: UInt32)
    /// A secret key file reached through a symbolic link resolves to a file readable or writable
    /// by the group or other users; `target` is that file.
    case keyFileLinkInsecure(path: String, target: String, mode: UInt32)
    /// A key or certificate path names something that is not a regular file (a FIFO, a device,
    /// a directory, a socket); `kind` says which.
    case notARegularFile(path: String, kind: String)
    /// A key file exists but its content is not a valid Shoal key file.
    case keyFileCorrupt(path: String, reason: String)
    /// A key file does not exist.
    case keyFileMissing(path: String)
    /// A file system call failed; `reason` is the `strerror` text.
    case fileSystem(path: String, reason: String)
    /// Refused to overwrite a file that already exists.
    case alreadyExists(path: String)
    /// A node certificate is not in the canonical `SHC1` format or breaks its field rules.
    case certificateMalformed(reason: String)
    /// A node certificate was not signed by the authority it was checked against.
    case certificateNotSignedByAuthority(name: String)
    /// A node certificate's expiry (unix seconds) has passed.
    case certificateExpired(name: String, expiredAt: UInt64)
    /// A node certificate names a different node key than the one presenting it.
    case certificateKeyMismatch(name: String)
    /// Authenticated decryption failed: wrong key, counter or additional data, or tampered input.
    case decryptionFailed

    /// A one-line message that says what went wrong and what to do about it.
    public var description: String {
        switch self {
        case .invalidLength(let what, let expected, let actual):
            return "\(what) must be \(expected) bytes but is \(actual) bytes; check that the value was copied whole"
        case .invalidEncoding(let what, let reason):
            return "\(what) is not valid: \(reason)"
        case .keyFileInsecure(let path, let mode):
            let octal = String(mode & 0o7777, radix: 8)
            return "key file \(path) is accessible by other users (mode 0\(octal)); run chmod 600 \(path)"
        case .keyFileLinkInsecure(let path, let target, let mode):
            let octal = String(mode & 0o7777, radix: 8)
            return "key file \(path) is a symbolic link to \(target), which is accessible by other users (mode 0\(octal)); "
                + "run chmod 600 \(target) if that file is meant to be this node's private key, "
                + "or replace the link with a private copy of the key"
        case .notARegularFile(let path, let kind):
            return "\(path) is \(kind), not a regular file; put the key or certificate file itself at that path"
        case .keyFileCorrupt(let path, let reason):
            return "key file \(path) is corrupt (\(reason)); restore it from a backup or move it aside to generate a new key"
        case .keyFileMissing(let path):
            return "key file \(path) does not exist; check the path or create the key first"
        case .fileSystem(let path, let reason):
            return "\(path): \(reason); check the path and its permissions"
        case .alreadyExists(let path):
            return "\(path) already exists; refusing to overwrite it (move it aside first if you really mean to replace it)"
        case .certificateMalformed(let reason):
            return "node certificate is malformed (\(reason)); issue a new certificate with the cluster authority"
        case .certificateNotSignedByAuthority(let name):
            return "certificate for \(name) was not signed by this cluster's authority; issue one with the configured authority key"
        case .certificateExpired(let name, let expiredAt):
            return "certificate for \(name) expired at \(expiredAt) (unix seconds); issue a new certificate"
        case .certificateKeyMismatch(let name):
            return "certificate for \(name) was issued to a different node key; issue a certificate for this node's key"
        case .decryptionFailed:
            return "decryption failed: the message was tampered with or was sealed with a different key, counter or additional data"
        }
    }
}
