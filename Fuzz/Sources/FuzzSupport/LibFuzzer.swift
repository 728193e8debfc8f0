#if canImport(Glibc)
import Glibc
#endif
import CLibFuzzer

/// A target's `main`: writes its seeds when asked (`SeedCorpus`), else hands the command line
/// to libFuzzer with `test` as the function it calls for each input (its flags, corpus
/// directories and `-runs=`/`-max_total_time=` are libFuzzer's own).
public func runLibFuzzer(
    seeds: @autoclosure () -> [(name: String, bytes: [UInt8])],
    _ test: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> Never {
    SeedCorpus.writeIfAsked(seeds())
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv, test))
}
