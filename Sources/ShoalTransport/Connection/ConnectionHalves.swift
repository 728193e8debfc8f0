import Foundation
import NIOCore

/// The receiving half of a connection: assembles frames from the link and opens them.
actor ConnectionReader {
    private let link: any Link
    private var assembler = FrameAssembler()
    private var opener: FrameOpener?
    private let maximumFrame: Int

    init(link: any Link, maximumFrame: Int) {
        self.link = link
        self.maximumFrame = maximumFrame
    }

    /// The next raw frame, at most `limit` bytes, its first `head` bytes apart from the rest.
    func nextFrame(limit: Int, detaching head: Int = 0) async throws(TransportError) -> FrameAssembler.Frame {
        while true {
            if let frame = try assembler.next(limit: limit, detaching: head) { return frame }
            let buffer: ByteBuffer?
            do {
                buffer = try await link.receive()
            } catch {
                throw .closed(reason: "\(error)")
            }
            guard let buffer else { throw .closed(reason: nil) }
            assembler.feed(buffer)
        }
    }

    func startSession(_ opener: FrameOpener) { self.opener = opener }

    /// The next record after the handshake, opened and parsed.
    func nextRecord() async throws(TransportError) -> Record {
        guard opener != nil else { throw .badFrame("record before the handshake completed") }
        var record = try Record(decoding: try await nextSealed())
        if record.kind == .messageWithBody {
            // The body came sealed in a frame of its own: decrypted straight into what the caller gets.
            record.body = try await nextSealed()
            record.kind = .message
        }
        return record
    }

    private func nextSealed() async throws(TransportError) -> Data {
        // The nonce is split off as the frame arrives, so the rest decrypts in place and the
        // plaintext starts at the buffer's first byte.
        // The frame's buffer is handed over with its only reference, so opening it in place does
        // not copy it first.
        var frame = try await nextFrame(limit: maximumFrame + BulkCipher.overhead + Record.headerOverhead, detaching: BulkCipher.nonceByteCount)
        let sealed = frame.bytes
        frame.bytes = Data()
        return try opener!.open(nonce: frame.head, sealed: consume sealed, header: frame.prefix)
    }
}

/// The sending half of a connection: seals records and writes them in order.
actor ConnectionWriter {
    private let link: any Link
    private var sealer: FrameSealer?

    init(link: any Link) { self.link = link }

    func sendRaw(_ bytes: [UInt8]) async throws(TransportError) {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(4 + bytes.count)
        buffer.writeInteger(UInt32(bytes.count))
        buffer.writeBytes(bytes)
        try await write(buffer)
    }

    func startSession(_ sealer: FrameSealer) { self.sealer = sealer }

    func send(_ record: Record) async throws(TransportError) {
        guard sealer != nil else { throw .badFrame("record before the handshake completed") }
        var buffer = ByteBuffer()
        if record.body.count < Record.detachedBodyThreshold {
            sealer!.seal(record.encoded(), into: &buffer)
        } else {
            // A large body is sealed as it is, in its own frame, rather than copied in behind the
            // header; both frames go out in one write.
            sealer!.seal(Record(kind: .messageWithBody, header: record.header, body: Data()).encoded(), into: &buffer)
            sealer!.seal(record.body, into: &buffer)
        }
        try await write(buffer)
    }

    private func write(_ buffer: ByteBuffer) async throws(TransportError) {
        do {
            try await link.send(buffer)
        } catch {
            throw .closed(reason: "\(error)")
        }
    }
}

/// What one sealed frame carries: a message (a protobuf header and an optional bulk body that
/// is never re-encoded, so a chunk is copied once from the socket to its reader), or a goodbye.
struct Record: Sendable {
    enum Kind: UInt8, Sendable {
        /// A header and its body in one frame.
        case message = 1
        /// The peer is hanging up; the header is the reason.
        case goodbye = 2
        /// A header whose body is the next frame (bodies of `detachedBodyThreshold` bytes or more).
        case messageWithBody = 3
    }

    /// Bodies this large travel in a frame of their own, saving a copy of them.
    static let detachedBodyThreshold = 64 << 10

    /// Kind byte and header length.
    static let headerOverhead = 5

    var kind: Kind
    var header: Data
    var body: Data

    func encoded() -> Data {
        var out = Data()
        out.reserveCapacity(Self.headerOverhead + header.count + body.count)
        out.append(kind.rawValue)
        let count = UInt32(header.count)
        out.append(contentsOf: [UInt8(count >> 24), UInt8(count >> 16 & 0xff), UInt8(count >> 8 & 0xff), UInt8(count & 0xff)])
        out.append(header)
        out.append(body)
        return out
    }

    init(kind: Kind, header: Data, body: Data) {
        self.kind = kind
        self.header = header
        self.body = body
    }

    init(decoding plain: Data) throws(TransportError) {
        guard plain.count >= Self.headerOverhead else { throw .badFrame("record cut short") }
        let start = plain.startIndex
        guard let kind = Kind(rawValue: plain[start]) else { throw .badFrame("unknown record kind \(plain[start])") }
        var count = 0
        for index in 1...4 { count = count << 8 | Int(plain[start + index]) }
        guard count <= plain.count - Self.headerOverhead else { throw .badFrame("record header longer than the record") }
        self.kind = kind
        header = plain[(start + Self.headerOverhead)..<(start + Self.headerOverhead + count)]
        body = plain[(start + Self.headerOverhead + count)...]
    }
}
