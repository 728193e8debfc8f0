import CSodium

/// Makes sure `sodium_init()` has run exactly once before any libsodium call.
enum Sodium {
    /// Swift initialises static stored properties lazily and exactly once, even across threads.
    private static let initialized: Bool = sodium_init() >= 0

    /// Runs `sodium_init()` on first use; later calls cost one atomic load.
    static func ensureInitialized() {
        _ = initialized
    }

    /// `count` bytes from libsodium's CSPRNG.
    static func randomBytes(_ count: Int) -> [UInt8] {
        ensureInitialized()
        var bytes = [UInt8](repeating: 0, count: count)
        bytes.withUnsafeMutableBytes { randombytes_buf($0.baseAddress!, $0.count) }
        return bytes
    }
}
