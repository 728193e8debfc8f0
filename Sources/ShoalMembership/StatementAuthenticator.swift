/// Signs this node's statements and checks everyone else's (DESIGN "Who may say what").
///
/// A pure value: the shell wraps the node's Ed25519 key; the simulator uses a cheap fake.
public protocol StatementAuthenticator: Sendable {
    /// Signs `bytes` with this node's key.
    func sign(_ bytes: [UInt8]) -> [UInt8]
    /// Whether `signature` over `bytes` was made by `signer`'s key.
    func verify(_ signature: [UInt8], of bytes: [UInt8], by signer: NodeID) -> Bool
}
