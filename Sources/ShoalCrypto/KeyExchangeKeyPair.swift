import CSodium

/// An ephemeral X25519 key pair for `crypto_kx` session key agreement (DESIGN "Transport").
///
/// The client's `transmit` key equals the server's `receive` key and vice versa, so each
/// direction of a session has its own AEAD key.
public struct KeyExchangeKeyPair: Sendable {
    /// The 32-byte X25519 public key to send to the peer.
    public let publicKey: [UInt8]
    private let secretKey: [UInt8]

    /// A fresh key pair from libsodium's CSPRNG.
    public static func generate() -> KeyExchangeKeyPair {
        Sodium.ensureInitialized()
        var pk = [UInt8](repeating: 0, count: Int(crypto_kx_PUBLICKEYBYTES))
        var sk = [UInt8](repeating: 0, count: Int(crypto_kx_SECRETKEYBYTES))
        _ = crypto_kx_keypair(&pk, &sk)
        return KeyExchangeKeyPair(publicKey: pk, secretKey: sk)
    }

    private init(publicKey: [UInt8], secretKey: [UInt8]) {
        self.publicKey = publicKey
        self.secretKey = secretKey
    }

    /// Session keys for the side that initiated the connection. Throws `invalidLength` for a
    /// peer key that is not 32 bytes and `invalidEncoding` for one libsodium rejects.
    public func clientSessionKeys(serverPublicKey: [UInt8]) throws(CryptoError) -> (receive: AEADKey, transmit: AEADKey) {
        try Self.checkPeerKey(serverPublicKey)
        var rx = [UInt8](repeating: 0, count: AEADKey.byteCount)
        var tx = [UInt8](repeating: 0, count: AEADKey.byteCount)
        guard crypto_kx_client_session_keys(&rx, &tx, publicKey, secretKey, serverPublicKey) == 0 else {
            throw .invalidEncoding(what: "server key exchange public key", reason: "libsodium rejected it as a weak or invalid X25519 point")
        }
        return (AEADKey(trusted: rx), AEADKey(trusted: tx))
    }

    /// Session keys for the side that accepted the connection. Throws `invalidLength` for a
    /// peer key that is not 32 bytes and `invalidEncoding` for one libsodium rejects.
    public func serverSessionKeys(clientPublicKey: [UInt8]) throws(CryptoError) -> (receive: AEADKey, transmit: AEADKey) {
        try Self.checkPeerKey(clientPublicKey)
        var rx = [UInt8](repeating: 0, count: AEADKey.byteCount)
        var tx = [UInt8](repeating: 0, count: AEADKey.byteCount)
        guard crypto_kx_server_session_keys(&rx, &tx, publicKey, secretKey, clientPublicKey) == 0 else {
            throw .invalidEncoding(what: "client key exchange public key", reason: "libsodium rejected it as a weak or invalid X25519 point")
        }
        return (AEADKey(trusted: rx), AEADKey(trusted: tx))
    }

    private static func checkPeerKey(_ key: [UInt8]) throws(CryptoError) {
        guard key.count == Int(crypto_kx_PUBLICKEYBYTES) else {
            throw .invalidLength(what: "key exchange public key", expected: Int(crypto_kx_PUBLICKEYBYTES), actual: key.count)
        }
    }
}
