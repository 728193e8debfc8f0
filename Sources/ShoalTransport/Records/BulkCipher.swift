import Crypto
import Foundation
import ShoalCrypto

/// The AEAD that protects every frame after the handshake: AES-256-GCM where both ends have
/// the CPU's AES instructions (BoringSSL through swift-crypto, the fastest measured here: see
/// README "Transport"), ChaCha20-Poly1305 otherwise. One key and one 64-bit counter per
/// direction; a counter is never reused, so a frame cannot be replayed, reordered or dropped
/// without the next one failing.
public enum BulkCipher {
    public enum Kind: String, Sendable, CaseIterable {
        case aes256GCM = "aes-256-gcm"
        case chaCha20Poly1305 = "chacha20-poly1305"
    }

    /// Nonce and tag around every frame's ciphertext.
    static let nonceByteCount = 12
    static let tagByteCount = 16
    static let overhead = nonceByteCount + tagByteCount

    /// The per-direction key for `kind`, derived from a Noise transport key with the cipher's
    /// name as context, so the two ciphers never share a key.
    static func deriveKey(from noiseKey: [UInt8], for kind: Kind) -> [UInt8] {
        SHA256.hmac(key: noiseKey, Array("shoal-transport/1 \(kind.rawValue)".utf8))
    }

    /// The 96-bit nonce of frame `counter`: 32 zero bits, then the counter big-endian.
    static func nonce(_ counter: UInt64) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: nonceByteCount)
        for index in 0..<8 { bytes[4 + index] = UInt8(truncatingIfNeeded: counter >> (8 * UInt64(7 - index))) }
        return bytes
    }

    /// Whether this CPU has AES-NI and PCLMULQDQ (what BoringSSL's fast AES-GCM needs).
    public static let hasHardwareAES: Bool = {
        #if arch(x86_64)
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
            let flags = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
        else { return false }
        let set = Set(flags.split(separator: " "))
        return set.contains("aes") && set.contains("pclmulqdq")
        #elseif arch(arm64)
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
            let flags = info.split(separator: "\n").first(where: { $0.hasPrefix("Features") })
        else { return false }
        let set = Set(flags.split(separator: " "))
        return set.contains("aes") && set.contains("pmull")
        #else
        return false
        #endif
    }()
}

/// Seals the frames of one direction.
struct FrameSealer: Sendable {
    let kind: BulkCipher.Kind
    private let key: SymmetricKey
    private(set) var counter: UInt64 = 0

    init(kind: BulkCipher.Kind, key: [UInt8]) {
        self.kind = kind
        self.key = SymmetricKey(data: key)
    }

    /// `nonce || ciphertext || tag` of `plaintext`, authenticating `header` (the frame's length prefix).
    mutating func seal(_ plaintext: some DataProtocol, header: [UInt8]) -> Data {
        defer { counter += 1 }
        let nonce = BulkCipher.nonce(counter)
        // Sealing with a valid key and a 12-byte nonce cannot fail.
        switch kind {
        case .aes256GCM:
            return try! AES.GCM.seal(plaintext, using: key, nonce: AES.GCM.Nonce(data: nonce), authenticating: header).combined!
        case .chaCha20Poly1305:
            return try! ChaChaPoly.seal(plaintext, using: key, nonce: ChaChaPoly.Nonce(data: nonce), authenticating: header)
                .combined
        }
    }
}

/// Opens the frames of one direction, in order.
struct FrameOpener: Sendable {
    let kind: BulkCipher.Kind
    private let key: SymmetricKey
    private(set) var counter: UInt64 = 0

    init(kind: BulkCipher.Kind, key: [UInt8]) {
        self.kind = kind
        self.key = SymmetricKey(data: key)
    }

    /// The plaintext of `sealed` (`nonce || ciphertext || tag`), which must carry the next
    /// counter's nonce and authenticate `header`; anything else is `TransportError.badFrame`.
    mutating func open(_ sealed: Data, header: [UInt8]) throws(TransportError) -> Data {
        guard sealed.count >= BulkCipher.overhead,
            sealed.prefix(BulkCipher.nonceByteCount).elementsEqual(BulkCipher.nonce(counter))
        else { throw .badFrame("frame out of sequence or cut short") }
        do {
            let plain: Data
            switch kind {
            case .aes256GCM:
                plain = try AES.GCM.open(AES.GCM.SealedBox(combined: sealed), using: key, authenticating: header)
            case .chaCha20Poly1305:
                plain = try ChaChaPoly.open(ChaChaPoly.SealedBox(combined: sealed), using: key, authenticating: header)
            }
            counter += 1
            return plain
        } catch {
            throw .badFrame("frame failed authentication")
        }
    }
}
