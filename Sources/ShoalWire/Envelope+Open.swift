public import ShoalCrypto

extension Envelope {
    /// Checks a received datagram bound to `receiver` (this node's key) and returns its envelope.
    ///
    /// Order matters: sizes and header first (cheap), then the cluster id, then the
    /// signature, so nothing unauthenticated reaches a schema decoder. Replay is
    /// checked by the caller's `ReplayWindow`, which only authenticated counters may move.
    ///
    /// - Throws: a `WireError` for any malformed, foreign, unbound, forged or misdirected
    ///   datagram (one bound to another node fails as `badSignature`); never traps.
    public static func open(_ datagram: [UInt8], expecting clusterID: ClusterID, receiver: PublicKey) throws(WireError) -> Envelope {
        let result = datagram.withUnsafeBytes { raw in
            Result { () throws(WireError) -> Envelope in try open(raw, expecting: clusterID, receiver: receiver) }
        }
        return try result.get()
    }

    /// Checks a received datagram held in `raw`; see `open(_:expecting:receiver:)`.
    public static func open(_ raw: UnsafeRawBufferPointer, expecting clusterID: ClusterID, receiver: PublicKey) throws(WireError) -> Envelope {
        try open(raw, expecting: clusterID, boundTo: receiver)
    }

    private static func open(_ raw: UnsafeRawBufferPointer, expecting clusterID: ClusterID, boundTo receiver: PublicKey?) throws(WireError) -> Envelope {
        guard raw.count <= maxDatagramSize else { throw .oversized(size: raw.count, limit: maxDatagramSize) }
        guard raw.count >= 2 else { throw .truncated(field: "magic") }
        guard raw[0] == magic.0, raw[1] == magic.1 else { throw .badMagic }
        guard raw.count >= 3 else { throw .truncated(field: "version") }
        guard raw[2] == version else { throw .unsupportedVersion(raw[2]) }
        guard raw.count >= headerSize else { throw .truncated(field: "header") }
        let expectedFlags = receiver == nil ? 0 : receiverBoundFlag
        guard raw[3] & ~receiverBoundFlag == 0, raw[3] & receiverBoundFlag <= expectedFlags else { throw .reservedFlags(raw[3]) }
        guard raw[3] == expectedFlags else { throw .unbound }
        guard raw[4..<12].elementsEqual(clusterID.bytes) else { throw .wrongCluster }
        let declared = Int(raw[52]) << 8 | Int(raw[53])
        let present = raw.count - headerSize - Signature.byteCount
        guard present >= 0 else { throw .truncated(field: "signature") }
        guard declared == present else { throw .lengthMismatch(declared: declared, actual: present) }

        let payload = raw[headerSize..<(headerSize + declared)]
        let sender: PublicKey
        let signature: Signature
        do {
            sender = try PublicKey(bytes: Array(raw[12..<44]))
            signature = try Signature(bytes: Array(raw[(headerSize + declared)...]))
        } catch {
            throw .truncated(field: "signature")
        }
        let verified: Bool
        if let receiver {
            verified = sender.isValidSignature(
                signature, for: signedMessage(header: raw[0..<headerSize], receiver: receiver, payload: payload))
        } else {
            verified = sender.isValidSignature(signature, for: UnsafeRawBufferPointer(rebasing: raw[0..<(headerSize + declared)]))
        }
        guard verified else { throw .badSignature }

        var counter: UInt64 = 0
        for byte in raw[44..<52] { counter = counter << 8 | UInt64(byte) }
        return Envelope(clusterID: clusterID, sender: sender, receiver: receiver, counter: counter, payload: Array(payload))
    }
}
