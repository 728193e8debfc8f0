public import ShoalCrypto

/// A signed datagram (DESIGN.md, "Identity and trust").
///
/// Layout, big-endian, 118 bytes of overhead:
/// ```
/// 0   magic "SH"           2
/// 2   version              1
/// 3   flags                1   bit 0: receiver-bound; the other bits are reserved (0)
/// 4   cluster id           8
/// 12  sender public key   32
/// 44  counter              8
/// 52  payload length       2
/// 54  payload              n
/// 54+n signature          64   Ed25519 by the sender
/// ```
/// `open` checks the signature before anything reads the payload. A receiver that can tell
/// from the payload alone that a datagram would change nothing (`parse`, then decode; the
/// agent's gossip it already has) may drop it without the check, and must verify
/// (`Unverified.verified()`) before acting on anything else in it.
///
/// **Receiver binding.** A receiver-bound envelope (flag bit 0) is signed over bytes
/// `0..<54`, then the receiver's 32-byte public key, then the payload. The receiver's key is
/// not transmitted, so binding costs no byte: the receiver verifies with its own key, and a
/// datagram captured on its way to one node and replayed to another (whose replay window
/// for that sender has not seen its counter) fails the signature there. Every gossip
/// datagram is bound (`seal(payload:clusterID:counter:key:receiver:)`), and
/// `open(_:expecting:receiver:)` refuses an unbound one as `WireError.unbound`, so a
/// datagram receiver accepts nothing unbound.
///
/// Streams do not use envelopes: they are the transport's (ShoalTransport, a Noise XX
/// handshake), so no unbound envelope is accepted anywhere.
public struct Envelope: Equatable, Sendable {
    /// The protocol version this build speaks.
    public static let version: UInt8 = 1
    /// Bytes before the payload.
    public static let headerSize = 54
    /// Bytes an envelope adds to its payload.
    public static let overhead = headerSize + Signature.byteCount
    /// The largest datagram Shoal sends or accepts; fits an Ethernet MTU with room for IP/UDP headers.
    public static let maxDatagramSize = 1_400
    /// The largest payload that fits in one datagram.
    public static let maxPayloadSize = maxDatagramSize - overhead
    /// Flag bit 0: the signature covers the receiver's public key (see the type's comment).
    public static let receiverBoundFlag: UInt8 = 0x01

    static let magic: (UInt8, UInt8) = (0x53, 0x48)

    public var clusterID: ClusterID
    public var sender: PublicKey
    /// The node the envelope is bound to (whose key its signature covers); nil when unbound.
    public var receiver: PublicKey?
    /// Strictly increasing per sender; receivers drop counters they have seen (see `ReplayWindow`).
    public var counter: UInt64
    public var payload: [UInt8]

    public init(clusterID: ClusterID, sender: PublicKey, receiver: PublicKey? = nil, counter: UInt64, payload: [UInt8]) {
        self.clusterID = clusterID
        self.sender = sender
        self.receiver = receiver
        self.counter = counter
        self.payload = payload
    }

    /// The bytes a signature covers: the header, the receiver's key when bound, the payload.
    static func signedMessage(header: some Collection<UInt8>, receiver: PublicKey, payload: some Collection<UInt8>) -> [UInt8] {
        var message: [UInt8] = []
        message.reserveCapacity(headerSize + PublicKey.byteCount + payload.count)
        message.append(contentsOf: header)
        message.append(contentsOf: receiver.bytes)
        message.append(contentsOf: payload)
        return message
    }
}
