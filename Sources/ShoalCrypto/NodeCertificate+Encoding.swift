/// Canonical binary form, `SHC1`:
///
///     "SHC1"
///     u16 length (32) + node public key
///     u16 length + name (UTF-8)
///     u64 expiresAt
///     u16 label count, then per label sorted by key bytes: u16 length + key, u16 length + value
///     u16 length (32) + authority public key
///     64-byte signature over every byte above
///
/// All integers are big-endian. Exactly one encoding exists for each certificate, and the
/// decoder accepts only that encoding.
extension NodeCertificate {
    /// The four magic bytes every encoded certificate starts with.
    public static let magic: [UInt8] = Array("SHC1".utf8)

    /// The canonical encoding; `init(decoding:)` of it gives back an equal certificate.
    public func encoded() -> [UInt8] {
        Self.signedBytes(nodeKey: nodeKey, name: name, expiresAt: expiresAt, labels: labels, authorityKey: authorityKey)
            + signature.bytes
    }

    /// Decodes a canonical encoding. Any other input (wrong magic, bad lengths, invalid UTF-8,
    /// unsorted or duplicate labels, field rule violations, trailing bytes, more than 16 KiB)
    /// throws `certificateMalformed`. It does not check the signature: call `verify`.
    public init(decoding bytes: [UInt8]) throws(CryptoError) {
        guard bytes.count <= Self.maximumEncodedByteCount else {
            throw .certificateMalformed(reason: "certificate is \(bytes.count) bytes, more than the \(Self.maximumEncodedByteCount) byte limit")
        }
        var reader = ByteReader(bytes)
        guard try reader.take(Self.magic.count) == Self.magic[...] else {
            throw .certificateMalformed(reason: "does not start with \"SHC1\"")
        }
        let nodeKey = try reader.publicKey(field: "node key")
        let name = try reader.string(field: "name")
        try Self.validate(name: name)
        let expiresAt = try reader.uint64(field: "expiry")
        let labelCount = Int(try reader.uint16(field: "label count"))
        guard labelCount <= Self.maximumLabelCount else {
            throw .certificateMalformed(reason: "declares \(labelCount) labels, more than \(Self.maximumLabelCount)")
        }
        var labels: [String: String] = [:]
        var previousKey: [UInt8]? = nil
        for _ in 0..<labelCount {
            let keyBytes = Array(try reader.lengthPrefixed(field: "label key"))
            if let previousKey, !previousKey.lexicographicallyPrecedes(keyBytes) {
                throw .certificateMalformed(reason: "labels are not sorted by key or repeat a key")
            }
            previousKey = keyBytes
            guard let key = String(validating: keyBytes, as: UTF8.self) else {
                throw .certificateMalformed(reason: "label key is not valid UTF-8")
            }
            labels[key] = try reader.string(field: "label value")
        }
        try Self.validate(labels: labels)
        let authorityKey = try reader.publicKey(field: "authority key")
        let signature = try Signature(bytes: Array(reader.take(Signature.byteCount)))
        guard reader.isAtEnd else {
            throw .certificateMalformed(reason: "\(reader.remaining) unexpected bytes after the signature")
        }
        self.init(nodeKey: nodeKey, name: name, expiresAt: expiresAt, labels: labels,
                  authorityKey: authorityKey, signature: signature)
        // Swift treats canonically equivalent Unicode keys as equal, which could merge two label
        // keys with different bytes; re-encoding catches that and any other non-canonical form.
        guard encoded() == bytes else {
            throw .certificateMalformed(reason: "encoding is not canonical")
        }
    }

    /// Every encoded byte the signature covers.
    static func signedBytes(nodeKey: PublicKey, name: String, expiresAt: UInt64, labels: [String: String], authorityKey: PublicKey) -> [UInt8] {
        var out = magic
        appendLengthPrefixed(nodeKey.bytes, to: &out)
        appendLengthPrefixed(Array(name.utf8), to: &out)
        for shift in stride(from: 56, through: 0, by: -8) {
            out.append(UInt8(truncatingIfNeeded: expiresAt >> UInt64(shift)))
        }
        appendUInt16(labels.count, to: &out)
        let sorted = labels.map { (Array($0.key.utf8), Array($0.value.utf8)) }
            .sorted { $0.0.lexicographicallyPrecedes($1.0) }
        for (key, value) in sorted {
            appendLengthPrefixed(key, to: &out)
            appendLengthPrefixed(value, to: &out)
        }
        appendLengthPrefixed(authorityKey.bytes, to: &out)
        return out
    }

    private static func appendUInt16(_ value: Int, to out: inout [UInt8]) {
        out.append(UInt8(truncatingIfNeeded: value >> 8))
        out.append(UInt8(truncatingIfNeeded: value))
    }

    private static func appendLengthPrefixed(_ bytes: [UInt8], to out: inout [UInt8]) {
        appendUInt16(bytes.count, to: &out)
        out.append(contentsOf: bytes)
    }
}

/// A bounds-checked cursor over certificate bytes; every read past the end throws instead of trapping.
struct ByteReader {
    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    var isAtEnd: Bool { offset == bytes.count }
    var remaining: Int { bytes.count - offset }

    mutating func take(_ count: Int) throws(CryptoError) -> ArraySlice<UInt8> {
        guard count <= remaining else {
            throw .certificateMalformed(reason: "ends after \(bytes.count) bytes, in the middle of a field")
        }
        defer { offset += count }
        return bytes[offset..<offset + count]
    }

    mutating func uint16(field: String) throws(CryptoError) -> UInt16 {
        let raw = try take(2)
        return UInt16(raw[raw.startIndex]) << 8 | UInt16(raw[raw.startIndex + 1])
    }

    mutating func uint64(field: String) throws(CryptoError) -> UInt64 {
        try take(8).reduce(0) { $0 << 8 | UInt64($1) }
    }

    mutating func lengthPrefixed(field: String) throws(CryptoError) -> ArraySlice<UInt8> {
        let length = Int(try uint16(field: field))
        return try take(length)
    }

    /// A length-prefixed Ed25519 key. A length other than 32 is malformed like any other field,
    /// not the key type's `invalidLength` (found by Fuzz/ fuzz-certificate).
    mutating func publicKey(field: String) throws(CryptoError) -> PublicKey {
        let bytes = Array(try lengthPrefixed(field: field))
        guard bytes.count == PublicKey.byteCount else {
            throw .certificateMalformed(reason: "\(field) is \(bytes.count) bytes, expected \(PublicKey.byteCount)")
        }
        return try PublicKey(bytes: bytes)
    }

    mutating func string(field: String) throws(CryptoError) -> String {
        guard let text = String(validating: try lengthPrefixed(field: field), as: UTF8.self) else {
            throw .certificateMalformed(reason: "\(field) is not valid UTF-8")
        }
        return text
    }
}
