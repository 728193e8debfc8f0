public import ShoalCrypto

extension Envelope {
    /// Encodes and signs `payload` as a datagram from `key` bound to `receiver`: only the node
    /// holding `receiver`'s key accepts it (see the type's comment). Every gossip datagram is
    /// sealed this way.
    ///
    /// - Throws: `WireError.oversized` when the payload does not fit one datagram.
    public static func seal(
        payload: [UInt8], clusterID: ClusterID, counter: UInt64, key: SigningKey, receiver: PublicKey
    ) throws(WireError) -> [UInt8] {
        var bytes = try header(payloadCount: payload.count, flags: receiverBoundFlag, clusterID: clusterID, counter: counter, key: key)
        let signature = key.sign(signedMessage(header: bytes, receiver: receiver, payload: payload))
        bytes.append(contentsOf: payload)
        bytes.append(contentsOf: signature.bytes)
        return bytes
    }

    /// Encodes and signs `payload` from `key`, bound to no receiver. Nothing in Shoal sends one
    /// (every receiver refuses it as `WireError.unbound`); it exists so tests and tools can show
    /// that refusal.
    ///
    /// - Throws: `WireError.oversized` when the payload does not fit one datagram.
    public static func seal(
        payload: [UInt8], clusterID: ClusterID, counter: UInt64, key: SigningKey
    ) throws(WireError) -> [UInt8] {
        var bytes = try header(payloadCount: payload.count, flags: 0, clusterID: clusterID, counter: counter, key: key)
        bytes.append(contentsOf: payload)
        let signature = bytes.withUnsafeBytes { key.sign($0) }
        bytes.append(contentsOf: signature.bytes)
        return bytes
    }

    private static func header(
        payloadCount: Int, flags: UInt8, clusterID: ClusterID, counter: UInt64, key: SigningKey
    ) throws(WireError) -> [UInt8] {
        guard payloadCount <= maxPayloadSize else {
            throw .oversized(size: payloadCount + overhead, limit: maxDatagramSize)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(overhead + payloadCount)
        bytes.append(magic.0)
        bytes.append(magic.1)
        bytes.append(version)
        bytes.append(flags)
        bytes.append(contentsOf: clusterID.bytes)
        bytes.append(contentsOf: key.publicKey.bytes)
        bytes.appendBigEndian(counter)
        bytes.appendBigEndian(UInt16(payloadCount))
        return bytes
    }
}

/// Hands out strictly increasing envelope counters for one sender.
///
/// The shell seeds it with wall-clock microseconds at start, so a restarted
/// agent's counters stay above everything its peers saw from its previous life
/// and are not taken for replays.
public struct EnvelopeCounter: Sendable {
    private var next: UInt64

    public init(start: UInt64) { next = start }

    /// The counter for the next envelope.
    public mutating func take() -> UInt64 {
        defer { next &+= 1 }
        return next
    }
}

extension [UInt8] {
    mutating func appendBigEndian(_ value: UInt64) {
        for shift in stride(from: 56, through: 0, by: -8) { append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    mutating func appendBigEndian(_ value: UInt16) {
        append(UInt8(truncatingIfNeeded: value >> 8))
        append(UInt8(truncatingIfNeeded: value))
    }

    mutating func appendBigEndian(_ value: UInt32) {
        for shift in stride(from: 24, through: 0, by: -8) { append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }
}
