import CBoringAEAD
import Foundation
import NIOCore
import ShoalCrypto

/// The AEAD that protects every frame after the handshake: AES-256-GCM where both ends have
/// the CPU's AES instructions, ChaCha20-Poly1305 otherwise, both BoringSSL's (compiled in by
/// swift-crypto; the fastest measured here: README "Transport throughput"), called through its
/// one-shot C interface so a frame is sealed straight into the socket buffer and opened in place. One key and one 64-bit counter per
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

/// One direction's BoringSSL AEAD context: the expanded key, made once per connection.
/// `EVP_AEAD_CTX_seal` and `_open` only read it, so it may be shared.
final class AEADContext: @unchecked Sendable {
    private let context: OpaquePointer

    init(kind: BulkCipher.Kind, key: [UInt8]) {
        let aead = switch kind {
        case .aes256GCM: CCryptoBoringSSL_EVP_aead_aes_256_gcm()
        case .chaCha20Poly1305: CCryptoBoringSSL_EVP_aead_chacha20_poly1305()
        }
        // A 32-byte key and the default tag length are valid for both AEADs.
        context = key.withUnsafeBufferPointer { CCryptoBoringSSL_EVP_AEAD_CTX_new(aead, $0.baseAddress, $0.count, BulkCipher.tagByteCount) }!
    }

    deinit { CCryptoBoringSSL_EVP_AEAD_CTX_free(context) }

    /// Seals `input` into `output` (ciphertext then tag); returns the bytes written.
    func seal(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer, nonce: [UInt8], header: [UInt8]) -> Int {
        var written = 0
        let sealed = CCryptoBoringSSL_EVP_AEAD_CTX_seal(
            context, output.baseAddress!.assumingMemoryBound(to: UInt8.self), &written, output.count, nonce, nonce.count,
            input.baseAddress?.assumingMemoryBound(to: UInt8.self), input.count, header, header.count)
        precondition(sealed == 1 && written == input.count + BulkCipher.tagByteCount, "AEAD seal refused a buffer sized for it")
        return written
    }

    /// Opens `buffer` (ciphertext then tag) in place; returns the plaintext's length, or nil when
    /// it fails authentication.
    func open(inPlace buffer: UnsafeMutableRawBufferPointer, nonce: [UInt8], header: [UInt8]) -> Int? {
        var written = 0
        let bytes = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let opened = CCryptoBoringSSL_EVP_AEAD_CTX_open(
            context, bytes, &written, buffer.count, nonce, nonce.count, bytes, buffer.count, header, header.count)
        return opened == 1 ? written : nil
    }
}

/// Seals the frames of one direction.
struct FrameSealer: Sendable {
    let kind: BulkCipher.Kind
    private let context: AEADContext
    private(set) var counter: UInt64 = 0

    init(kind: BulkCipher.Kind, key: [UInt8]) {
        self.kind = kind
        context = AEADContext(kind: kind, key: key)
    }

    /// Appends one frame to `buffer`, `length || nonce || ciphertext || tag`, the 4-byte length
    /// authenticated as additional data; `plaintext` is encrypted straight into `buffer`.
    mutating func seal(_ plaintext: Data, into buffer: inout ByteBuffer) {
        defer { counter += 1 }
        let length = plaintext.count + BulkCipher.overhead
        let prefix = [UInt8(length >> 24 & 0xff), UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff)]
        let nonce = BulkCipher.nonce(counter)
        buffer.reserveCapacity(minimumWritableBytes: 4 + length)
        buffer.writeBytes(prefix)
        buffer.writeBytes(nonce)
        plaintext.withUnsafeBytes { input in
            _ = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: input.count + BulkCipher.tagByteCount) { output in
                context.seal(input, into: output, nonce: nonce, header: prefix)
            }
        }
    }
}

/// Opens the frames of one direction, in order.
struct FrameOpener: Sendable {
    let kind: BulkCipher.Kind
    private let context: AEADContext
    private(set) var counter: UInt64 = 0

    init(kind: BulkCipher.Kind, key: [UInt8]) {
        self.kind = kind
        context = AEADContext(kind: kind, key: key)
    }

    /// The plaintext of one frame, decrypted in place in `sealed` (`ciphertext || tag`, its
    /// nonce already split off): the nonce must be the next counter's and the frame must
    /// authenticate `header` (its length prefix); anything else is `TransportError.badFrame`.
    mutating func open(nonce: [UInt8], sealed: consuming Data, header: [UInt8]) throws(TransportError) -> Data {
        guard sealed.count >= BulkCipher.tagByteCount, nonce == BulkCipher.nonce(counter)
        else { throw .badFrame("frame out of sequence or cut short") }
        let context = context
        guard let length = sealed.withUnsafeMutableBytes({ context.open(inPlace: $0, nonce: nonce, header: header) })
        else { throw .badFrame("frame failed authentication") }
        counter += 1
        sealed.count = length
        return sealed
    }
}
