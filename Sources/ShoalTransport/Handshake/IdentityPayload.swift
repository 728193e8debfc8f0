import ShoalCrypto

/// The payload of handshake messages 2 (responder) and 3 (initiator): who the sender is and
/// its proof, encrypted by Noise.
///
/// ```
/// u8   version (1)
/// u8   capabilities (bit 0: AES-GCM in hardware)
/// u16  certificate length, big-endian; the certificate (ShoalCrypto encoding)
/// 64   Ed25519 signature by the certified key over
///      "shoal-transport/1 " || role || handshake hash || Noise static key
/// u8   protocol name length; the name      (message 3 only; length 0 in message 2)
/// ```
/// The signature binds the node key to this very handshake (its hash commits to the prologue
/// with the cluster id, both ephemeral keys and the sender's static key), so a payload cannot
/// be lifted into another handshake, as libp2p's Noise binds its identity key to the static key.
struct IdentityPayload: Equatable, Sendable {
    static let version: UInt8 = 1
    /// Largest certificate carried: one that fits a gossip datagram is far smaller.
    static let maximumCertificateBytes = 2_048
    static let context = Array("shoal-transport/1 ".utf8)

    var capabilities: Capabilities
    var certificate: [UInt8]
    var signature: [UInt8]
    var protocolName: String

    /// What a side can do, announced in its payload.
    struct Capabilities: OptionSet, Sendable, Equatable {
        let rawValue: UInt8
        /// AES-GCM runs on the CPU's AES and carry-less multiply instructions.
        static let hardwareAES = Capabilities(rawValue: 1)
    }

    /// The bytes the signature covers.
    static func signedBytes(role: NoiseXX.Role, hash: [UInt8], staticKey: [UInt8]) -> [UInt8] {
        context + Array((role == .initiator ? "initiator " : "responder ").utf8) + hash + staticKey
    }

    func encoded() -> [UInt8] {
        var out: [UInt8] = [Self.version, capabilities.rawValue]
        out.append(UInt8(certificate.count >> 8))
        out.append(UInt8(certificate.count & 0xff))
        out += certificate
        out += signature
        let name = Array(protocolName.utf8)
        out.append(UInt8(name.count))
        out += name
        return out
    }

    init(capabilities: Capabilities, certificate: [UInt8], signature: [UInt8], protocolName: String) {
        self.capabilities = capabilities
        self.certificate = certificate
        self.signature = signature
        self.protocolName = protocolName
    }

    init(decoding bytes: [UInt8]) throws(HandshakeError) {
        var rest = bytes[...]
        func take(_ count: Int, _ what: String) throws(HandshakeError) -> ArraySlice<UInt8> {
            guard rest.count >= count else { throw .malformed("identity payload: \(what) cut short") }
            defer { rest = rest.dropFirst(count) }
            return rest.prefix(count)
        }
        let head = try take(2, "header")
        guard head[head.startIndex] == Self.version else {
            throw .malformed("identity payload version \(head[head.startIndex]), expected \(Self.version)")
        }
        capabilities = Capabilities(rawValue: head[head.startIndex + 1])
        let length = try take(2, "certificate length")
        let certificateCount = Int(length[length.startIndex]) << 8 | Int(length[length.startIndex + 1])
        guard certificateCount <= Self.maximumCertificateBytes else {
            throw .malformed("certificate of \(certificateCount) bytes (at most \(Self.maximumCertificateBytes))")
        }
        certificate = Array(try take(certificateCount, "certificate"))
        signature = Array(try take(Signature.byteCount, "signature"))
        let nameLength = Int(try take(1, "protocol length").first ?? 0)
        guard nameLength <= ProtocolName.maximumByteCount else { throw .malformed("protocol name too long") }
        let name = try take(nameLength, "protocol name")
        guard rest.isEmpty else { throw .malformed("identity payload: \(rest.count) trailing bytes") }
        guard let text = String(validating: name, as: UTF8.self) else { throw .malformed("protocol name is not UTF-8") }
        protocolName = text
    }
}
