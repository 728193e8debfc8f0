import NIOCore
import ShoalCrypto
import ShoalWire

/// Why a membership stream (push-pull, fallback ping) failed.
enum StreamError: Error, CustomStringConvertible {
    case closed
    case timedOut
    case wire(WireError)
    case handshake(String)

    var description: String {
        switch self {
        case .closed: "peer closed the stream"
        case .timedOut: "stream timed out"
        case .wire(let error): error.description
        case .handshake(let reason): "handshake failed: \(reason)"
        }
    }
}

/// One authenticated, encrypted stream over TCP (DESIGN "Identity and trust", Streams).
///
/// Each side first sends a signed envelope holding an ephemeral X25519 key; crypto_kx
/// turns the two into one key per direction; every later frame is XChaCha20-Poly1305
/// sealed under a per-direction counter, so frames cannot be replayed, reordered or
/// forged. `peer` is the authenticated public key of the other side.
struct StreamChannel {
    typealias Inbound = NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    typealias Outbound = NIOAsyncChannelOutboundWriter<ByteBuffer>

    private(set) var inbound: Inbound
    let outbound: Outbound
    private var decoder = FrameDecoder(maxSize: StreamChannel.maxFrame)
    private var keys: (transmit: AEADKey, receive: AEADKey)?
    private var sendCounter: UInt64 = 0
    private var receiveCounter: UInt64 = 0
    private(set) var peer: PublicKey?

    /// Full member state of a large cluster fits comfortably; anything bigger is hostile.
    static let maxFrame = 8 << 20

    init(inbound: Inbound, outbound: Outbound) {
        self.inbound = inbound
        self.outbound = outbound
    }

    /// Runs the handshake; `isInitiator` picks the crypto_kx client role.
    mutating func handshake(key: SigningKey, cluster: ClusterID, counter: UInt64, isInitiator: Bool) async throws {
        let ephemeral = KeyExchangeKeyPair.generate()
        var hello = Shoal_Wire_V1_StreamHello()
        hello.ephemeralKey = .init(ephemeral.publicKey)
        let sealed = try Envelope.seal(payload: PayloadCodec.encode(hello), clusterID: cluster, counter: counter, key: key)
        try await outbound.write(ByteBuffer(bytes: try Frame.encode(sealed, maxSize: Self.maxFrame)))

        let frame = try await nextRawFrame()
        let envelope: Envelope
        let theirs: Shoal_Wire_V1_StreamHello
        do {
            envelope = try Envelope.open(frame, expecting: cluster)
            theirs = try PayloadCodec.decode(Shoal_Wire_V1_StreamHello.self, from: envelope.payload)
        } catch {
            throw StreamError.wire(error)
        }
        let keys =
            isInitiator
            ? try ephemeral.clientSessionKeys(serverPublicKey: Array(theirs.ephemeralKey))
            : try ephemeral.serverSessionKeys(clientPublicKey: Array(theirs.ephemeralKey))
        self.keys = (keys.transmit, keys.receive)
        peer = envelope.sender
    }

    /// Seals and sends one message.
    mutating func send(_ message: Shoal_Wire_V1_StreamMessage) async throws {
        guard let keys else { throw StreamError.handshake("send before handshake") }
        let sealed = AEAD.seal(PayloadCodec.encode(message), key: keys.transmit, counter: sendCounter)
        sendCounter += 1
        try await outbound.write(ByteBuffer(bytes: try Frame.encode(sealed, maxSize: Self.maxFrame)))
    }

    /// Receives and opens one message.
    mutating func receive() async throws -> Shoal_Wire_V1_StreamMessage {
        let frame = try await nextRawFrame()
        guard let keys else { throw StreamError.handshake("receive before handshake") }
        let plain = try AEAD.open(frame, key: keys.receive, counter: receiveCounter)
        receiveCounter += 1
        do {
            return try PayloadCodec.decode(Shoal_Wire_V1_StreamMessage.self, from: plain, maxSize: Self.maxFrame)
        } catch {
            throw StreamError.wire(error)
        }
    }

    private mutating func nextRawFrame() async throws -> [UInt8] {
        while true {
            do {
                if let frame = try decoder.next() { return frame }
            } catch {
                throw StreamError.wire(error)
            }
            guard let buffer = try await inbound.next() else { throw StreamError.closed }
            decoder.feed(buffer.readableBytesView)
        }
    }
}

/// Runs `body`, failing with `StreamError.timedOut` if it takes longer than `limit` on `clock`.
func withTimeout<T: Sendable, C: Clock>(
    _ limit: Duration, clock: C, _ body: @escaping @Sendable () async throws -> T
) async throws -> T where C.Duration == Duration {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await clock.sleep(for: limit)
            throw StreamError.timedOut
        }
        defer { group.cancelAll() }
        guard let first = try await group.next() else { throw StreamError.timedOut }
        return first
    }
}
