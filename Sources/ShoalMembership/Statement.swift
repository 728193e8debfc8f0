/// A signed claim about one member at one incarnation: the unit that gossip disseminates.
///
/// Immutable and shared by reference, so a statement piggybacked to a thousand simulated nodes
/// is stored once; its canonical bytes are computed once at creation.
public struct Statement: Hashable, Sendable, CustomStringConvertible {
    final class Storage: Sendable {
        let subject: NodeID
        let incarnation: UInt64
        let claim: Claim
        let signature: [UInt8]
        let canonicalBytes: [UInt8]
        let estimatedSize: Int

        init(subject: NodeID, incarnation: UInt64, claim: Claim, signature: [UInt8], canonicalBytes: [UInt8]) {
            self.subject = subject
            self.incarnation = incarnation
            self.claim = claim
            self.signature = signature
            self.canonicalBytes = canonicalBytes
            self.estimatedSize = Statement.sizeBound(subject: subject, incarnation: incarnation, claim: claim, signature: signature)
        }
    }

    let storage: Storage

    /// Builds a statement from decoded fields; the signature is checked when it is received.
    public init(subject: NodeID, incarnation: UInt64, claim: Claim, signature: [UInt8]) {
        let bytes = Statement.canonicalBytes(subject: subject, incarnation: incarnation, claim: claim)
        storage = Storage(subject: subject, incarnation: incarnation, claim: claim, signature: signature, canonicalBytes: bytes)
    }

    /// Builds and signs a statement with `authenticator`.
    public static func signed(
        subject: NodeID, incarnation: UInt64, claim: Claim, by authenticator: any StatementAuthenticator
    ) -> Statement {
        let bytes = canonicalBytes(subject: subject, incarnation: incarnation, claim: claim)
        let signature = authenticator.sign(bytes)
        return Statement(storage: Storage(subject: subject, incarnation: incarnation, claim: claim, signature: signature, canonicalBytes: bytes))
    }

    private init(storage: Storage) {
        self.storage = storage
    }

    /// The member the claim is about.
    public var subject: NodeID { storage.subject }
    /// The subject's incarnation the claim refers to.
    public var incarnation: UInt64 { storage.incarnation }
    /// The claim.
    public var claim: Claim { storage.claim }
    /// Signature over `canonicalBytes` by `signer`.
    public var signature: [UInt8] { storage.signature }
    /// The deterministic encoding that is signed (see `canonicalBytes(subject:incarnation:claim:)`).
    public var canonicalBytes: [UInt8] { storage.canonicalBytes }
    /// Conservative upper bound of this statement's size inside a datagram.
    public var estimatedSize: Int { storage.estimatedSize }

    /// The bound when the wire leaves `elided` bytes of an alive statement's certificate out
    /// (`MembershipConfig.certificateBytesElided`); other statements carry no certificate.
    public func estimatedSize(elidingCertificateBytes elided: Int) -> Int {
        guard elided > 0, case .alive(let metadata) = storage.claim, metadata.certificate.count > elided else {
            return storage.estimatedSize
        }
        return storage.estimatedSize - elided
    }

    /// Who must have signed: the subject for alive, the accuser otherwise.
    public var signer: NodeID {
        switch storage.claim {
        case .alive: storage.subject
        case .suspect(let accuser), .dead(let accuser, _): accuser
        }
    }

    /// The status this statement asserts.
    public var status: MemberStatus {
        switch storage.claim {
        case .alive: .alive
        case .suspect: .suspect
        case .dead(_, let left): left ? .left : .dead
        }
    }

    /// Metadata carried by an alive statement.
    public var metadata: MemberMetadata? {
        if case .alive(let metadata) = storage.claim { return metadata }
        return nil
    }

    /// Precedence key: higher incarnation wins, then status rank (alive < suspect < dead < left).
    var precedence: Precedence { Precedence(incarnation: storage.incarnation, rank: status.rank) }

    /// Short form for logs.
    public var description: String {
        "\(status.rawValue)(\(subject.shortID)@\(incarnation) by \(signer.shortID))"
    }

    /// Field equality (shared storage short-circuits).
    public static func == (lhs: Statement, rhs: Statement) -> Bool {
        if lhs.storage === rhs.storage { return true }
        return lhs.storage.subject == rhs.storage.subject && lhs.storage.incarnation == rhs.storage.incarnation
            && lhs.storage.claim == rhs.storage.claim && lhs.storage.signature == rhs.storage.signature
    }

    /// Hashes subject, incarnation and signature.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(storage.subject)
        hasher.combine(storage.incarnation)
        hasher.combine(storage.signature)
    }

    /// An upper bound of the statement's size inside a datagram, for any tag-length-value
    /// encoding whose tags take 1 byte, lengths at most 3 (fields under 2 MiB) and numbers at
    /// most 1 + their base-128 length (the wire's protobuf schema is one): 4 bytes of framing per
    /// length-delimited field and per nested message (the statement's kind, its wrapping message,
    /// the metadata, each label), the bytes themselves, and each number in full. The canonical
    /// encoding (fixed 8-byte numbers and lengths) overstated an alive statement by about 90
    /// bytes, a quarter of it, so fewer were packed into a datagram than fit.
    static func sizeBound(subject: NodeID, incarnation: UInt64, claim: Claim, signature: [UInt8]) -> Int {
        func field(_ count: Int) -> Int { 4 + count }
        func number(_ value: UInt64) -> Int { 1 + max(1, (64 - value.leadingZeroBitCount + 6) / 7) }
        var size = 4 + 4 + field(subject.bytes.count) + number(incarnation) + field(signature.count)
        switch claim {
        case .alive(let metadata):
            size += 4 + field(metadata.name.utf8.count) + field(metadata.address.host.utf8.count)
                + number(UInt64(metadata.address.port)) + number(UInt64(metadata.cpuMillis)) + number(metadata.memoryBytes)
                + field(metadata.version.utf8.count) + field(metadata.certificate.count)
            for (key, value) in metadata.labels { size += 4 + field(key.utf8.count) + field(value.utf8.count) }
        case .suspect(let accuser):
            size += field(accuser.bytes.count)
        case .dead(let accuser, _):
            size += field(accuser.bytes.count) + number(1)
        }
        return size
    }

    /// The signed encoding: a domain tag, the claim kind, subject, incarnation, then the claim's
    /// fields, every variable-length field length-prefixed and labels sorted by key, so equal
    /// statements always give equal bytes.
    public static func canonicalBytes(subject: NodeID, incarnation: UInt64, claim: Claim) -> [UInt8] {
        var writer = CanonicalWriter()
        writer.bytes.append(contentsOf: [0x53, 0x48, 0x4d, 0x31])  // "SHM1"
        switch claim {
        case .alive(let metadata):
            writer.u8(1)
            writer.field(subject.bytes)
            writer.u64(incarnation)
            writer.string(metadata.name)
            writer.string(metadata.address.host)
            writer.u64(UInt64(metadata.address.port))
            writer.u64(UInt64(metadata.labels.count))
            for key in metadata.labels.keys.sorted() {
                writer.string(key)
                writer.string(metadata.labels[key] ?? "")
            }
            writer.u64(UInt64(metadata.cpuMillis))
            writer.u64(metadata.memoryBytes)
            writer.string(metadata.version)
            writer.field(metadata.certificate)
        case .suspect(let accuser):
            writer.u8(2)
            writer.field(subject.bytes)
            writer.u64(incarnation)
            writer.field(accuser.bytes)
        case .dead(let accuser, let left):
            writer.u8(left ? 4 : 3)
            writer.field(subject.bytes)
            writer.u64(incarnation)
            writer.field(accuser.bytes)
        }
        return writer.bytes
    }
}
