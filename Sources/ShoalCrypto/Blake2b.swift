import CSodium

/// One-shot BLAKE2b-256 (libsodium `crypto_generichash`, unkeyed, 32-byte output).
public enum Blake2b {
    /// The BLAKE2b-256 digest of `data`; equal to the streaming `Blake2bHasher` over the same bytes.
    public static func hash256(_ data: UnsafeRawBufferPointer) -> Digest256 {
        Sodium.ensureInitialized()
        var out = [UInt8](repeating: 0, count: Digest256.byteCount)
        let base = data.baseAddress?.assumingMemoryBound(to: UInt8.self)
        _ = crypto_generichash(&out, out.count, base, UInt64(data.count), nil, 0)
        return Digest256(trusted: out)
    }

    /// The BLAKE2b-256 digest of `data`.
    public static func hash256(_ data: [UInt8]) -> Digest256 {
        data.withUnsafeBytes { hash256($0) }
    }
}
