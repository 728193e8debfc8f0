import ShoalConsensus

/// One record of the Raft log's write-ahead log. Integers are little-endian.
///
/// - `entry`: term u64, index u64, kind u8, data.
/// - `hardState`: term u64, commit u64, vote flag u8, the 32-byte vote if the flag is 1.
/// - `snapshot`: mode u8 (1 install: every stored entry goes; 2 compaction: entries up to the
///   index go), then a snapshot body.
/// - `segmentHeader`: magic "SHOALWAL", version u8, sequence u64, first index u64, then the
///   snapshot body the log stood on when the segment was cut. It opens every segment, followed
///   by the hard state of that moment, so any suffix of segments replays on its own.
///
/// A snapshot body is index u64, term u64, configuration length u32, configuration
/// (`Configuration.encoded`), data.
enum WALRecord: Equatable {
    case entry(Entry)
    case hardState(HardState)
    case snapshot(Snapshot, replacesLog: Bool)
    case segmentHeader(sequence: UInt64, firstIndex: LogIndex, base: Snapshot)

    static let magic = Array("SHOALWAL".utf8)
    static let version: UInt8 = 1

    enum Tag: UInt8 {
        case entry = 1, hardState = 2, snapshot = 3, segmentHeader = 4
    }

    /// Type byte followed by the body.
    func encode(into bytes: inout [UInt8]) {
        switch self {
        case .entry(let entry):
            bytes.append(Tag.entry.rawValue)
            bytes.appendLittleEndian(entry.term)
            bytes.appendLittleEndian(entry.index)
            bytes.append(entry.kind.rawValue)
            bytes += entry.data
        case .hardState(let state):
            bytes.append(Tag.hardState.rawValue)
            bytes.appendLittleEndian(state.term)
            bytes.appendLittleEndian(state.commit)
            if let vote = state.vote {
                bytes.append(1)
                bytes += vote.bytes
            } else {
                bytes.append(0)
            }
        case .snapshot(let snapshot, let replacesLog):
            bytes.append(Tag.snapshot.rawValue)
            bytes.append(replacesLog ? 1 : 2)
            Self.encode(snapshot, into: &bytes)
        case .segmentHeader(let sequence, let firstIndex, let base):
            bytes.append(Tag.segmentHeader.rawValue)
            bytes += Self.magic
            bytes.append(Self.version)
            bytes.appendLittleEndian(sequence)
            bytes.appendLittleEndian(firstIndex)
            Self.encode(base, into: &bytes)
        }
    }

    private static func encode(_ snapshot: Snapshot, into bytes: inout [UInt8]) {
        bytes.appendLittleEndian(snapshot.metadata.index)
        bytes.appendLittleEndian(snapshot.metadata.term)
        let configuration = snapshot.metadata.configuration.encoded
        bytes.appendLittleEndian(UInt32(configuration.count))
        bytes += configuration
        bytes += snapshot.data
    }

    /// Decodes a type byte and body whose checksum already matched; nil names what is wrong.
    static func decode(_ payload: ArraySlice<UInt8>) -> Result<WALRecord, DecodeFailure> {
        var reader = LittleEndianReader(payload)
        guard let tagByte = reader.byte(), let tag = Tag(rawValue: tagByte) else {
            return .failure(DecodeFailure("unknown record type \(payload.first.map { String($0) } ?? "none")"))
        }
        switch tag {
        case .entry:
            guard let term = reader.uint64(), let index = reader.uint64(), let kindByte = reader.byte() else {
                return .failure(DecodeFailure("entry record too short"))
            }
            guard let kind = EntryKind(rawValue: kindByte) else {
                return .failure(DecodeFailure("entry \(index) has unknown kind \(kindByte)"))
            }
            return .success(.entry(Entry(term: term, index: index, kind: kind, data: reader.rest())))
        case .hardState:
            guard let term = reader.uint64(), let commit = reader.uint64(), let flag = reader.byte() else {
                return .failure(DecodeFailure("hard state record too short"))
            }
            var vote: ReplicaID?
            if flag == 1 {
                guard let id = ReplicaID(bytes: reader.rest()) else { return .failure(DecodeFailure("hard state vote is not 32 bytes")) }
                vote = id
            } else if flag != 0 || !reader.rest().isEmpty {
                return .failure(DecodeFailure("hard state vote flag \(flag) is invalid"))
            }
            return .success(.hardState(HardState(term: term, vote: vote, commit: commit)))
        case .snapshot:
            guard let mode = reader.byte(), mode == 1 || mode == 2 else {
                return .failure(DecodeFailure("snapshot record has an invalid mode"))
            }
            guard let snapshot = decodeSnapshot(&reader) else { return .failure(DecodeFailure("snapshot record malformed")) }
            return .success(.snapshot(snapshot, replacesLog: mode == 1))
        case .segmentHeader:
            guard reader.bytes(magic.count) == magic else { return .failure(DecodeFailure("segment header lacks the SHOALWAL magic")) }
            guard reader.byte() == version else { return .failure(DecodeFailure("segment format version is not \(version) (written by a newer shoal?)")) }
            guard let sequence = reader.uint64(), let firstIndex = reader.uint64(), let base = decodeSnapshot(&reader) else {
                return .failure(DecodeFailure("segment header malformed"))
            }
            return .success(.segmentHeader(sequence: sequence, firstIndex: firstIndex, base: base))
        }
    }

    private static func decodeSnapshot(_ reader: inout LittleEndianReader) -> Snapshot? {
        guard let index = reader.uint64(), let term = reader.uint64(), let length = reader.uint32(),
            let encoded = reader.bytes(Int(length)), let configuration = Configuration(encoded: encoded)
        else { return nil }
        return Snapshot(metadata: SnapshotMetadata(index: index, term: term, configuration: configuration), data: reader.rest())
    }
}

/// What made a checksummed record undecodable.
struct DecodeFailure: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}

/// Reads little-endian integers from a slice, answering nil past its end.
struct LittleEndianReader {
    private var remaining: ArraySlice<UInt8>

    init(_ bytes: ArraySlice<UInt8>) { remaining = bytes }

    mutating func byte() -> UInt8? { remaining.popFirst() }

    mutating func bytes(_ count: Int) -> [UInt8]? {
        guard count >= 0, remaining.count >= count else { return nil }
        defer { remaining = remaining.dropFirst(count) }
        return Array(remaining.prefix(count))
    }

    mutating func uint32() -> UInt32? { bytes(4).map { UInt32(littleEndianBytes: $0) } }
    mutating func uint64() -> UInt64? { bytes(8).map { UInt64(littleEndianBytes: $0) } }

    mutating func rest() -> [UInt8] {
        defer { remaining = [] }
        return Array(remaining)
    }
}

extension [UInt8] {
    mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        var value = value.littleEndian
        Swift.withUnsafeBytes(of: &value) { append(contentsOf: $0) }
    }
}

extension FixedWidthInteger {
    init(littleEndianBytes bytes: some Collection<UInt8>) {
        var value: Self = 0
        for (shift, byte) in bytes.enumerated() { value |= Self(byte) << (8 * shift) }
        self = value
    }
}
