public import ShoalCrypto

extension Envelope {
    /// Encodes and signs `payload` as a datagram from `key`.
    ///
    /// - Throws: `WireError.oversized` when the payload does not fit one datagram.
    public static func seal(
        payload: [UInt8], clusterID: ClusterID, counter: UInt64, key: SigningKey
    ) throws(WireError) -> [UInt8] {
        guard payload.count <= maxPayloadSize else {
            throw .oversized(size: payload.count + overhead, limit: maxDatagramSize)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(overhead + payload.count)
        bytes.append(magic.0)
        bytes.append(magic.1)
        bytes.append(version)
        bytes.append(0)
        bytes.append(contentsOf: clusterID.bytes)
        bytes.append(contentsOf: key.publicKey.bytes)
        bytes.appendBigEndian(counter)
        bytes.appendBigEndian(UInt16(payload.count))
        bytes.append(contentsOf: payload)
        let signature = bytes.withUnsafeBytes { key.sign($0) }
        bytes.append(contentsOf: signature.bytes)
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
