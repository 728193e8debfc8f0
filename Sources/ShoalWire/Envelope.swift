public import ShoalCrypto

/// A signed datagram (DESIGN.md, "Identity and trust").
///
/// Layout, big-endian, 118 bytes of overhead:
/// ```
/// 0   magic "SH"           2
/// 2   version              1
/// 3   flags (reserved, 0)  1
/// 4   cluster id           8
/// 12  sender public key   32
/// 44  counter              8
/// 52  payload length       2
/// 54  payload              n
/// 54+n signature          64   Ed25519 by the sender over bytes 0..<54+n
/// ```
/// The signature is checked before anything reads the payload, so a forged or
/// tampered datagram never reaches a decoder of the schema.
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

    static let magic: (UInt8, UInt8) = (0x53, 0x48)

    public var clusterID: ClusterID
    public var sender: PublicKey
    /// Strictly increasing per sender; receivers drop counters they have seen (see `ReplayWindow`).
    public var counter: UInt64
    public var payload: [UInt8]

    public init(clusterID: ClusterID, sender: PublicKey, counter: UInt64, payload: [UInt8]) {
        self.clusterID = clusterID
        self.sender = sender
        self.counter = counter
        self.payload = payload
    }
}
