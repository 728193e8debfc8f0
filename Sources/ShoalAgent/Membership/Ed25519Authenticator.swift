import ShoalCrypto
import ShoalMembership

/// Signs this node's statements with its Ed25519 key and checks others' against the
/// signer's id, which is its public key. Ed25519 signing is deterministic, so this is a
/// pure function of its inputs and the core stays reproducible.
struct Ed25519Authenticator: StatementAuthenticator {
    let key: SigningKey

    func sign(_ bytes: [UInt8]) -> [UInt8] { key.sign(bytes).bytes }

    func verify(_ signature: [UInt8], of bytes: [UInt8], by signer: NodeID) -> Bool {
        guard let key = try? PublicKey(bytes: signer.bytes), let signature = try? Signature(bytes: signature) else {
            return false
        }
        return key.isValidSignature(signature, for: bytes)
    }
}
