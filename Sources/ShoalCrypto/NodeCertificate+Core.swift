/// A certificate's *core*: its encoding without the fields a receiver already knows from the
/// statement that carries it and from its own cluster, so that gossip carries about 80 bytes
/// less per alive statement. The core is the encoded expiry and labels, then the signature:
///
///     "SHC1" | u16 32 + node key | u16 length + name | [expiry | labels] | u16 32 + authority key | [signature]
///                                                      ^^^^^^^^^^^^^^^^^                          ^^^^^^^^^^^
///
/// Splitting and rebuilding are byte operations: nothing is verified here, and a rebuilt
/// certificate is judged like any other (`init(decoding:)`, then `verify`).
extension NodeCertificate {
    /// How many bytes shorter a core always is than its certificate (the name's bytes come off too).
    public static let coreOmittedBytes = magic.count + 2 + PublicKey.byteCount + 2 + 2 + PublicKey.byteCount

    /// The core of `encoded` when it certifies `nodeKey` as `name` and was signed by
    /// `authorityKey`; nil when any of them differs (such a certificate must travel whole).
    public static func core(of encoded: [UInt8], nodeKey: [UInt8], name: String, authorityKey: [UInt8]) -> [UInt8]? {
        let prefix = knownPrefix(nodeKey: nodeKey, name: name)
        let suffix = knownSuffix(authorityKey: authorityKey)
        guard encoded.count >= prefix.count + 8 + 2 + suffix.count + Signature.byteCount,
            encoded.starts(with: prefix)
        else { return nil }
        let suffixStart = encoded.count - Signature.byteCount - suffix.count
        guard encoded[suffixStart..<suffixStart + suffix.count].elementsEqual(suffix) else { return nil }
        return Array(encoded[prefix.count..<suffixStart]) + encoded[(encoded.count - Signature.byteCount)...]
    }

    /// The whole encoding a `core(of:...)` came from, given the same node key, name and
    /// authority key. A core too short to hold a signature gives bytes that do not decode.
    public static func rebuild(core: [UInt8], nodeKey: [UInt8], name: String, authorityKey: [UInt8]) -> [UInt8] {
        let split = max(0, core.count - Signature.byteCount)
        return knownPrefix(nodeKey: nodeKey, name: name) + core[..<split] + knownSuffix(authorityKey: authorityKey)
            + core[split...]
    }

    private static func knownPrefix(nodeKey: [UInt8], name: String) -> [UInt8] {
        let nameBytes = Array(name.utf8)
        return magic + [0, UInt8(truncatingIfNeeded: nodeKey.count)] + nodeKey
            + [UInt8(truncatingIfNeeded: nameBytes.count >> 8), UInt8(truncatingIfNeeded: nameBytes.count)] + nameBytes
    }

    private static func knownSuffix(authorityKey: [UInt8]) -> [UInt8] {
        [0, UInt8(truncatingIfNeeded: authorityKey.count)] + authorityKey
    }
}
