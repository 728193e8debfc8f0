#if canImport(Glibc)
import Glibc
#endif

/// The seed generator: each target knows valid encodings of its own input format, and writes
/// them when started with `SHOAL_FUZZ_WRITE_SEEDS=DIR` (scripts/fuzz.sh seeds), before
/// libFuzzer starts (`runLibFuzzer`). The committed corpus under
/// Fuzz/Corpus is what this wrote, plus crash inputs kept as regressions.
public enum SeedCorpus {
    public static let variable = "SHOAL_FUZZ_WRITE_SEEDS"

    /// Writes `seeds` (file name → bytes) into the directory the variable names, then exits;
    /// returns at once when it is not set.
    public static func writeIfAsked(_ seeds: @autoclosure () -> [(name: String, bytes: [UInt8])]) {
        guard let raw = getenv(variable) else { return }
        let directory = String(cString: raw)
        for seed in seeds() {
            let path = directory + "/seed-" + seed.name
            guard let file = fopen(path, "wb") else { fatalError("cannot write \(path)") }
            _ = seed.bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
            fclose(file)
        }
        exit(0)
    }
}
