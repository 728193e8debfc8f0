import ShoalCompression

/// The bytes of a chunk file: `"SHCK"`, one encoding byte (0 raw, 1 zstd), then the payload.
/// The encoding is in the file so a file can be read without the index, and so the index
/// never disagrees with it.
enum ChunkEncoding: UInt8, Sendable {
    case raw = 0
    case zstd = 1

    static let magic: [UInt8] = Array("SHCK".utf8)
    static let headerSize = 5

    /// The file bytes for `chunk`: zstd at `level`, unless that saves less than `minimumSaving`.
    static func encode(_ chunk: [UInt8], level: Int, minimumSaving: Double) throws(ChunkStoreError) -> (bytes: [UInt8], encoding: ChunkEncoding) {
        let compressed: [UInt8]
        do {
            compressed = try Zstd.compress(chunk, level: level)
        } catch {
            throw .invalidConfiguration(error.description)
        }
        let worthIt = Double(compressed.count) <= Double(chunk.count) * (1 - minimumSaving)
        let encoding: ChunkEncoding = worthIt ? .zstd : .raw
        var file = magic
        file.append(encoding.rawValue)
        file.reserveCapacity(headerSize + (worthIt ? compressed.count : chunk.count))
        file.append(contentsOf: worthIt ? compressed : chunk)
        return (file, encoding)
    }

    /// The chunk bytes in `file`, at most `maxSize` of them; a reason string when the file is
    /// not a well-formed chunk file.
    static func decode(_ file: [UInt8], maxSize: Int) -> Result<[UInt8], DecodeFailure> {
        guard file.count >= headerSize, Array(file[0..<4]) == magic, let encoding = ChunkEncoding(rawValue: file[4]) else {
            return .failure(DecodeFailure(reason: "not a chunk file (bad header)"))
        }
        let payload = Array(file[headerSize...])
        switch encoding {
        case .raw:
            return .success(payload)
        case .zstd:
            do {
                return .success(try Zstd.decompress(payload, maxSize: maxSize))
            } catch {
                return .failure(DecodeFailure(reason: error.description))
            }
        }
    }

    struct DecodeFailure: Error {
        let reason: String
    }
}
