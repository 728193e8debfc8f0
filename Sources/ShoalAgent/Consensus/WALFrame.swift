/// How records sit in a segment: a 12-byte header, then the payload (type byte and body).
///
/// ```
/// length u32 | CRC-32C of the length u32 | CRC-32C of the payload u32 | type u8 | body
/// ```
///
/// The length has a checksum of its own so that a flipped bit in it is seen as corruption
/// rather than read as "the record runs past the end of the file", which is what a torn last
/// write looks like and is cut off (see `RaftStorage` recovery rules).
enum WALFrame {
    static let headerSize = 12
    /// No record is larger (a snapshot's data is meant to be a reference, not the state).
    static let maximumPayload = 16 << 20

    /// Appends `record`, framed, to `buffer`.
    static func append(_ record: WALRecord, to buffer: inout [UInt8]) throws(RaftStorageError) {
        let start = buffer.count
        buffer += [UInt8](repeating: 0, count: headerSize)
        record.encode(into: &buffer)
        let length = buffer.count - start - headerSize
        guard length <= maximumPayload else {
            buffer.removeLast(buffer.count - start)
            throw .recordTooLarge(bytes: length, limit: maximumPayload)
        }
        var header: [UInt8] = []
        header.appendLittleEndian(UInt32(length))
        header.appendLittleEndian(CRC32C.checksum(header))
        header.appendLittleEndian(CRC32C.checksum(buffer[(start + headerSize)...]))
        buffer.replaceSubrange(start..<start + headerSize, with: header)
    }

    /// What lies at an offset of a segment.
    enum Scan {
        /// The end of the file, exactly at a record boundary.
        case end
        /// A whole, valid record ending at `end`.
        case record(WALRecord, end: Int)
        /// The bytes stop before the record does: a write that did not complete.
        case incomplete(String)
        /// Checksums disagree; `end` is where the record claims to end, if its length is sound.
        case damaged(String, end: Int?)
        /// Checksums agree but the record makes no sense: never a torn write.
        case invalid(String)
    }

    static func scan(_ bytes: [UInt8], at offset: Int) -> Scan {
        let remaining = bytes.count - offset
        if remaining == 0 { return .end }
        if remaining < headerSize { return .incomplete("\(remaining) bytes, less than a record header") }
        let lengthBytes = bytes[offset..<offset + 4]
        guard CRC32C.checksum(lengthBytes) == UInt32(littleEndianBytes: bytes[offset + 4..<offset + 8]) else {
            return .damaged("record header checksum mismatch", end: nil)
        }
        let length = Int(UInt32(littleEndianBytes: lengthBytes))
        guard length > 0, length <= maximumPayload else { return .invalid("record length \(length) is out of range") }
        let end = offset + headerSize + length
        guard end <= bytes.count else {
            return .incomplete("record of \(length) bytes runs \(end - bytes.count) bytes past the end of the file")
        }
        let payload = bytes[(offset + headerSize)..<end]
        guard CRC32C.checksum(payload) == UInt32(littleEndianBytes: bytes[offset + 8..<offset + 12]) else {
            return .damaged("record checksum mismatch", end: end)
        }
        switch WALRecord.decode(payload) {
        case .success(let record): return .record(record, end: end)
        case .failure(let failure): return .invalid(failure.reason)
        }
    }

    /// True if what is at `offset` can only be a write cut short by a crash: the bytes stop
    /// inside the record, or the damaged record is the last thing in the file, or everything
    /// from `offset` on is zero (space the file system allocated but never wrote).
    static func isTornTail(_ scan: Scan, bytes: [UInt8], offset: Int) -> Bool {
        switch scan {
        case .end, .record, .invalid: return false
        case .incomplete: return true
        case .damaged(_, let end):
            if end == bytes.count { return true }
            return bytes[offset...].allSatisfy { $0 == 0 }
        }
    }
}
