#if canImport(Glibc)
import Glibc
#endif

/// Files the file decoders read: one directory per fuzzer process, each input written over the
/// last. scripts/fuzz.sh names it (`SHOAL_FUZZ_SCRATCH`, in memory under /dev/shm) and removes
/// it after the run; without it, a directory named after the process is made under /tmp.
public enum ScratchFile {
    /// This process's directory, made on first use.
    public static let directory: String = {
        let path = getenv("SHOAL_FUZZ_SCRATCH").map { String(cString: $0) } ?? "/tmp/shoal-fuzz-\(getpid())"
        mkdir(path, 0o700)
        return path
    }()

    /// Writes `bytes` to `name` in the scratch directory with `mode`, replacing what was there;
    /// answers its path.
    public static func write(_ bytes: [UInt8], name: String, mode: mode_t = 0o600) -> String {
        let path = directory + "/" + name
        unlink(path)
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { fatalError("cannot write \(path)") }
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            guard count > 0 else { fatalError("cannot write \(path)") }
            written += count
        }
        fchmod(fd, mode)
        close(fd)
        return path
    }

    /// A path in the scratch directory that does not exist (for decoders' own writers).
    public static func fresh(_ name: String) -> String {
        let path = directory + "/" + name
        unlink(path)
        return path
    }
}
