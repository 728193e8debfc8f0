import ShoalCrypto

/// The Noise XX handshake pattern (Noise rev 34 §7.5), `Noise_XX_25519_ChaChaPoly_SHA256`:
///
/// ```
/// -> e
/// <- e, ee, s, es
/// -> s, se
/// ```
///
/// Both static keys travel encrypted, both sides contribute a fresh ephemeral key (forward
/// secrecy), and every message is authenticated under the running hash of all that came before,
/// prologue included. A pure state machine: the keys come in as arguments, bytes come in and go
/// out; the caller owns the socket and the randomness.
struct NoiseXX: Sendable {
    enum Role: Sendable { case initiator, responder }

    let role: Role
    private var symmetric = NoiseSymmetricState()
    private let localStatic: X25519KeyPair
    private let localEphemeral: X25519KeyPair
    private var remoteEphemeral: [UInt8] = []
    /// The peer's static X25519 key, once its message carrying it has been read.
    private(set) var remoteStatic: [UInt8]?
    /// Messages written or read so far; the handshake is complete after three.
    private(set) var messageCount = 0

    static let keyLength = X25519KeyPair.byteCount
    static let tagLength = ChaChaPolyIETF.tagByteCount

    init(role: Role, prologue: [UInt8], staticKey: X25519KeyPair, ephemeralKey: X25519KeyPair) {
        self.role = role
        localStatic = staticKey
        localEphemeral = ephemeralKey
        symmetric.mixHash(prologue)
    }

    var isComplete: Bool { messageCount == 3 }

    /// The handshake hash `h`, which the next payload is encrypted under.
    var handshakeHash: [UInt8] { symmetric.hash }

    /// Whether the next message is ours to write.
    var isOurTurn: Bool {
        switch role {
        case .initiator: messageCount == 0 || messageCount == 2
        case .responder: messageCount == 1
        }
    }

    /// Writes the next handshake message. `payload` is given the handshake hash the payload
    /// will be encrypted under, so it can sign the transcript so far.
    mutating func writeMessage(payload: ([UInt8]) -> [UInt8]) throws(HandshakeError) -> [UInt8] {
        guard isOurTurn else { throw .outOfOrder }
        var out: [UInt8] = []
        switch messageCount {
        case 0:
            out += localEphemeral.publicKey
            symmetric.mixHash(localEphemeral.publicKey)
        case 1:
            out += localEphemeral.publicKey
            symmetric.mixHash(localEphemeral.publicKey)
            symmetric.mixKey(try dh(localEphemeral, remoteEphemeral))
            out += symmetric.encryptAndHash(localStatic.publicKey)
            symmetric.mixKey(try dh(localStatic, remoteEphemeral))
        default:
            out += symmetric.encryptAndHash(localStatic.publicKey)
            symmetric.mixKey(try dh(localStatic, remoteEphemeral))
        }
        out += symmetric.encryptAndHash(payload(symmetric.hash))
        messageCount += 1
        return out
    }

    /// Reads the peer's next handshake message; returns its payload and the handshake hash it
    /// was encrypted under (what the peer signed).
    mutating func readMessage(_ message: [UInt8]) throws(HandshakeError) -> (payload: [UInt8], hash: [UInt8]) {
        guard !isOurTurn, messageCount < 3 else { throw .outOfOrder }
        var rest = message[...]
        switch messageCount {
        case 0:
            remoteEphemeral = try take(Self.keyLength, from: &rest, what: "ephemeral key")
            symmetric.mixHash(remoteEphemeral)
        case 1:
            remoteEphemeral = try take(Self.keyLength, from: &rest, what: "ephemeral key")
            symmetric.mixHash(remoteEphemeral)
            symmetric.mixKey(try dh(localEphemeral, remoteEphemeral))
            let encryptedStatic = try take(Self.keyLength + Self.tagLength, from: &rest, what: "static key")
            let revealed = try symmetric.decryptAndHash(encryptedStatic)
            remoteStatic = revealed
            symmetric.mixKey(try dh(localEphemeral, revealed))
        default:
            let encryptedStatic = try take(Self.keyLength + Self.tagLength, from: &rest, what: "static key")
            let revealed = try symmetric.decryptAndHash(encryptedStatic)
            remoteStatic = revealed
            symmetric.mixKey(try dh(localEphemeral, revealed))
        }
        let hash = symmetric.hash
        let payload = try symmetric.decryptAndHash(Array(rest))
        messageCount += 1
        return (payload, hash)
    }

    /// The transport keys (§5.2 Split): what this side sends with, and what it receives with.
    func split() -> (send: [UInt8], receive: [UInt8]) {
        let keys = symmetric.split()
        switch role {
        case .initiator: return (keys.initiatorToResponder, keys.responderToInitiator)
        case .responder: return (keys.responderToInitiator, keys.initiatorToResponder)
        }
    }

    private func dh(_ local: X25519KeyPair, _ remote: [UInt8]) throws(HandshakeError) -> [UInt8] {
        do {
            return try local.sharedSecret(with: remote)
        } catch {
            throw .badKey
        }
    }

    private func take(_ count: Int, from rest: inout ArraySlice<UInt8>, what: String) throws(HandshakeError) -> [UInt8] {
        guard rest.count >= count else { throw .malformed("\(what) cut short") }
        defer { rest = rest.dropFirst(count) }
        return Array(rest.prefix(count))
    }
}
