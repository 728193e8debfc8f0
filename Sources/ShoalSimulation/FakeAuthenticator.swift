public import ShoalMembership

/// A cheap stand-in for Ed25519 so thousands of simulated nodes stay fast: the signature is
/// the signer's id followed by a 64-bit FNV-1a hash of the signer's id and the bytes.
///
/// It is not secure against anyone who knows the scheme; it is exactly strong enough to
/// model "only X can sign as X" among simulated nodes that each use their own instance.
public struct FakeAuthenticator: StatementAuthenticator {
    /// The node this instance signs as.
    public let signer: NodeID

    /// An authenticator that signs as `signer`.
    public init(signer: NodeID) {
        self.signer = signer
    }

    /// `signer.bytes ++ fnv64(signer.bytes ++ bytes)`.
    public func sign(_ bytes: [UInt8]) -> [UInt8] {
        var signature = signer.bytes
        let digest = FakeAuthenticator.digest(signer: signer, bytes: bytes)
        for shift in stride(from: 56, through: 0, by: -8) {
            signature.append(UInt8(truncatingIfNeeded: digest >> UInt64(shift)))
        }
        return signature
    }

    /// Recomputes the signature `signer` would have made.
    public func verify(_ signature: [UInt8], of bytes: [UInt8], by signer: NodeID) -> Bool {
        let idCount = signer.bytes.count
        guard signature.count == idCount + 8, signature.prefix(idCount).elementsEqual(signer.bytes) else { return false }
        let digest = FakeAuthenticator.digest(signer: signer, bytes: bytes)
        var expected: UInt64 = 0
        for byte in signature[idCount...] { expected = (expected << 8) | UInt64(byte) }
        return expected == digest
    }

    static func digest(signer: NodeID, bytes: [UInt8]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in signer.bytes {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        for byte in bytes {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        return hash
    }
}
