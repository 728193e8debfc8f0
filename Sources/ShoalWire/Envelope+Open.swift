public import ShoalCrypto

extension Envelope {
    /// Checks a received datagram bound to `receiver` (this node's key) and returns its envelope.
    ///
    /// Order matters: sizes and header first (cheap), then the cluster id, then the
    /// signature, so nothing unauthenticated reaches a schema decoder through `open`. Replay is
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
        try parse(raw, expecting: clusterID, boundTo: receiver).verified()
    }

    /// Checks a received datagram's framing, cluster id and binding, but not yet its signature:
    /// what a receiver that can tell a datagram would change nothing uses to drop it without the
    /// signature check (`Unverified.verified()` does the rest of `open`). Nothing in an
    /// unverified envelope may change state, move a replay window or be answered.
    ///
    /// - Throws: the `WireError` `open` throws for the same bytes, except `badSignature`.
    public static func parse(_ raw: UnsafeRawBufferPointer, expecting clusterID: ClusterID, receiver: PublicKey) throws(WireError) -> Unverified {
        try parse(raw, expecting: clusterID, boundTo: receiver)
    }

    private static func parse(_ raw: UnsafeRawBufferPointer, expecting clusterID: ClusterID, boundTo receiver: PublicKey?) throws(WireError) -> Unverified {
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

        let sender: PublicKey
        let signature: Signature
        do {
            sender = try PublicKey(bytes: Array(raw[12..<44]))
            signature = try Signature(bytes: Array(raw[(headerSize + declared)...]))
        } catch {
            throw .truncated(field: "signature")
        }
        var counter: UInt64 = 0
        for byte in raw[44..<52] { counter = counter << 8 | UInt64(byte) }
        return Unverified(
            claimed: Envelope(
                clusterID: clusterID, sender: sender, receiver: receiver, counter: counter,
                payload: Array(raw[headerSize..<(headerSize + declared)])),
            header: Array(raw[0..<headerSize]), signature: signature)
    }

    /// A datagram as it claims to be, before its signature is checked (`parse`).
    public struct Unverified: Sendable {
        /// The fields as the datagram states them: no one has vouched for them yet.
        public let claimed: Envelope
        let header: [UInt8]
        let signature: Signature

        /// The envelope, once its sender's signature verifies over the header, the receiver's
        /// key when bound, and the payload.
        ///
        /// - Throws: `WireError.badSignature` when it does not (a forgery, a tampered byte, or a
        ///   datagram bound to another node).
        public func verified() throws(WireError) -> Envelope {
            let valid: Bool
            if let receiver = claimed.receiver {
                valid = claimed.sender.isValidSignature(signature, for: signedMessage(header: header, receiver: receiver, payload: claimed.payload))
            } else {
                valid = claimed.sender.isValidSignature(signature, for: header + claimed.payload)
            }
            guard valid else { throw .badSignature }
            return claimed
        }
    }
}
