#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Crash-safe replacement of small files, for any state a node must not lose or tear
/// (key files use the same mechanism, without replacement).
public enum DurableFile {
    /// Writes `bytes` to `path` with permission `mode` so that after a crash, a kill -9 or a
    /// full disk the file holds either the old or the new contents, never a mix: a temporary
    /// file is written and fsynced, renamed over `path`, and the directory fsynced.
    public static func replace(_ bytes: [UInt8], at path: String, mode: UInt32 = 0o600) throws(CryptoError) {
        try FileSystem.writeAtomically(bytes, to: path, mode: mode_t(mode), overwrite: true)
    }
}
