import CSodium

/// Streaming BLAKE2b-256: feeding bytes in any number of `update` calls gives the same digest as
/// `Blake2b.hash256` over their concatenation.
public struct Blake2bHasher: ~Copyable {
    /// libsodium's state is 64-byte aligned and Swift imports it only as an opaque pointer,
    /// so it lives in its own aligned allocation, wiped and freed in `deinit`.
    private let state: UnsafeMutableRawPointer

    /// A hasher with no input yet.
    public init() {
        Sodium.ensureInitialized()
        state = UnsafeMutableRawPointer.allocate(byteCount: crypto_generichash_statebytes(), alignment: 64)
        _ = crypto_generichash_init(OpaquePointer(state), nil, 0, Digest256.byteCount)
    }

    deinit {
        sodium_memzero(state, crypto_generichash_statebytes())
        state.deallocate()
    }

    /// Appends `data` to the hashed input.
    public mutating func update(_ data: UnsafeRawBufferPointer) {
        let base = data.baseAddress?.assumingMemoryBound(to: UInt8.self)
        _ = crypto_generichash_update(OpaquePointer(state), base, UInt64(data.count))
    }

    /// Appends `data` to the hashed input.
    public mutating func update(_ data: [UInt8]) {
        data.withUnsafeBytes { update($0) }
    }

    /// The digest of everything passed to `update`; consumes the hasher.
    public consuming func finalize() -> Digest256 {
        var out = [UInt8](repeating: 0, count: Digest256.byteCount)
        _ = crypto_generichash_final(OpaquePointer(state), &out, out.count)
        return Digest256(trusted: out)
    }
}
