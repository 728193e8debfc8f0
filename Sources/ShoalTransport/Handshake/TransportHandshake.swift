public import ShoalCrypto

/// The transport's mutual handshake: Noise XX (`Noise_XX_25519_ChaChaPoly_SHA256`) with each
/// side's node certificate and an Ed25519 signature over the handshake hash in its encrypted
/// payload, checked against the cluster authority before the handshake completes.
///
/// The initiator learns and checks the responder's identity from message 2 before it reveals
/// its own in message 3; the responder checks the initiator's in message 3 before any
/// application byte. The prologue carries the cluster id, so a peer of another cluster fails
/// message 2's authentication. The requested protocol travels in message 3, encrypted and under
/// the transcript hash, so it cannot be swapped. Pure: keys, time and bytes are arguments.
public struct TransportHandshake: Sendable {
    /// What the caller must do next.
    public enum Step: Sendable {
        /// Send these bytes as one handshake frame, then wait for the peer's next one.
        case send([UInt8])
        /// Send these bytes (the initiator's last message), and the connection is established.
        case sendAndEstablish([UInt8], EstablishedSession)
        /// The connection is established.
        case established(EstablishedSession)
    }

    /// The largest handshake message either side sends: a bounded certificate, its signature
    /// and the Noise keys and tags. Frames over it are refused before they are buffered.
    public static let maximumMessageBytes = 2 * NoiseXX.keyLength + 3 * NoiseXX.tagLength + 4 + 64 + 2 + IdentityPayload.maximumCertificateBytes + ProtocolName.maximumByteCount + 1

    private var noise: NoiseXX
    private let identity: TransportIdentity
    private let noiseStatic: X25519KeyPair
    private let capabilities: IdentityPayload.Capabilities
    private let now: UInt64
    private let requested: ProtocolName?
    private let expectedPeer: PublicKey?
    private let accepted: Set<ProtocolName>
    private var responder: (PeerIdentity, IdentityPayload.Capabilities)?

    static let helloPayload: [UInt8] = [IdentityPayload.version]

    /// The dialling side: asks for `protocolName`, and refuses a responder other than `expecting` when given.
    public init(
        initiating protocolName: ProtocolName, expecting: PublicKey?, identity: TransportIdentity, now: UInt64,
        hardwareAES: Bool, staticKey: X25519KeyPair, ephemeralKey: X25519KeyPair
    ) {
        noise = NoiseXX(role: .initiator, prologue: Self.prologue(identity.clusterID), staticKey: staticKey, ephemeralKey: ephemeralKey)
        self.identity = identity
        noiseStatic = staticKey
        capabilities = hardwareAES ? .hardwareAES : []
        self.now = now
        requested = protocolName
        expectedPeer = expecting
        accepted = []
    }

    /// The accepting side: completes only for an initiator asking for one of `accepting`.
    public init(
        accepting: Set<ProtocolName>, identity: TransportIdentity, now: UInt64, hardwareAES: Bool,
        staticKey: X25519KeyPair, ephemeralKey: X25519KeyPair
    ) {
        noise = NoiseXX(role: .responder, prologue: Self.prologue(identity.clusterID), staticKey: staticKey, ephemeralKey: ephemeralKey)
        self.identity = identity
        noiseStatic = staticKey
        capabilities = hardwareAES ? .hardwareAES : []
        self.now = now
        requested = nil
        expectedPeer = nil
        accepted = accepting
    }

    static func prologue(_ cluster: ClusterID) -> [UInt8] { Array("shoal-transport/1".utf8) + cluster.bytes }

    /// Whether this side dialled (and so speaks first).
    public var isInitiator: Bool { noise.role == .initiator }

    /// The initiator's first message.
    public mutating func start() throws(HandshakeError) -> [UInt8] {
        guard noise.role == .initiator, noise.messageCount == 0 else { throw .outOfOrder }
        return try noise.writeMessage { _ in Self.helloPayload }
    }

    /// Takes the peer's next handshake message.
    public mutating func receive(_ message: [UInt8]) throws(HandshakeError) -> Step {
        guard message.count <= Self.maximumMessageBytes else { throw .malformed("handshake message of \(message.count) bytes") }
        switch (noise.role, noise.messageCount) {
        case (.responder, 0):
            let (hello, _) = try noise.readMessage(message)
            guard hello == Self.helloPayload else { throw .malformed("unsupported handshake version") }
            let sign = signer(protocolName: "")
            return .send(try noise.writeMessage { hash in sign(hash) })
        case (.initiator, 1):
            let (bytes, hash) = try noise.readMessage(message)
            let payload = try IdentityPayload(decoding: bytes)
            let peer = try verify(payload, hash: hash, signer: .responder)
            if let expectedPeer, expectedPeer != peer.key {
                throw .unexpectedPeer(expected: expectedPeer.shortID, actual: peer.description)
            }
            let name = requested?.rawValue ?? ""
            let sign = signer(protocolName: name)
            let last = try noise.writeMessage { hash in sign(hash) }
            return .sendAndEstablish(last, session(peer: peer, theirs: payload.capabilities, protocolName: requested!))
        case (.responder, 2):
            let (bytes, hash) = try noise.readMessage(message)
            let payload = try IdentityPayload(decoding: bytes)
            let peer = try verify(payload, hash: hash, signer: .initiator)
            guard let name = ProtocolName(payload.protocolName), accepted.contains(name) else {
                throw .unknownProtocol(String(payload.protocolName.prefix(ProtocolName.maximumByteCount)))
            }
            return .established(session(peer: peer, theirs: payload.capabilities, protocolName: name))
        default:
            throw .outOfOrder
        }
    }

    /// Makes our identity payload for the handshake hash it will be encrypted under.
    private func signer(protocolName: String) -> ([UInt8]) -> [UInt8] {
        let role = noise.role, staticKey = noiseStatic.publicKey, identity = identity, capabilities = capabilities
        return { hash in
            let signed = IdentityPayload.signedBytes(role: role, hash: hash, staticKey: staticKey)
            return IdentityPayload(
                capabilities: capabilities, certificate: identity.certificate.encoded(),
                signature: identity.key.sign(signed).bytes, protocolName: protocolName
            ).encoded()
        }
    }

    private func verify(_ payload: IdentityPayload, hash: [UInt8], signer: NoiseXX.Role) throws(HandshakeError) -> PeerIdentity {
        let certificate: NodeCertificate
        do {
            certificate = try NodeCertificate(decoding: payload.certificate)
            try certificate.verify(authority: identity.authority, now: now)
        } catch .certificateExpired(let name, _) {
            throw .expired(name: name)
        } catch {
            throw .uncertified(error.description)
        }
        guard let remoteStatic = noise.remoteStatic, let signature = try? Signature(bytes: payload.signature) else {
            throw .badSignature
        }
        let signed = IdentityPayload.signedBytes(role: signer, hash: hash, staticKey: remoteStatic)
        guard certificate.nodeKey.isValidSignature(signature, for: signed) else { throw .badSignature }
        return PeerIdentity(key: certificate.nodeKey, name: certificate.name, certificateExpiresAt: certificate.expiresAt)
    }

    private func session(peer: PeerIdentity, theirs: IdentityPayload.Capabilities, protocolName: ProtocolName)
        -> EstablishedSession
    {
        let cipher: BulkCipher.Kind =
            capabilities.contains(.hardwareAES) && theirs.contains(.hardwareAES) ? .aes256GCM : .chaCha20Poly1305
        let keys = noise.split()
        return EstablishedSession(
            peer: peer, protocolName: protocolName, cipher: cipher, handshakeHash: noise.handshakeHash,
            sendKey: BulkCipher.deriveKey(from: keys.send, for: cipher),
            receiveKey: BulkCipher.deriveKey(from: keys.receive, for: cipher))
    }
}

/// The outcome of a completed handshake: who the peer is, what it asked for, and the keys of
/// each direction for the negotiated bulk cipher.
public struct EstablishedSession: Sendable {
    public let peer: PeerIdentity
    public let protocolName: ProtocolName
    public let cipher: BulkCipher.Kind
    /// Noise's final handshake hash: equal on both sides of one handshake, unique to it.
    public let handshakeHash: [UInt8]
    let sendKey: [UInt8]
    let receiveKey: [UInt8]
}
