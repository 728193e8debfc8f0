import CZstd

/// Streaming zstd compression: the concatenation of everything `compress` and `finish` return
/// is one zstd frame holding the concatenation of the input chunks.
public struct ZstdCompressor: ~Copyable {
    private let context: OpaquePointer
    private let outputChunkSize = ZSTD_CStreamOutSize()

    /// A compressor at `level`; throws `invalidLevel` for a level outside `Zstd.levelRange`.
    public init(level: Int = 3) throws(CompressionError) {
        try Zstd.checkLevel(level)
        guard let context = ZSTD_createCCtx() else {
            throw .corrupt(reason: "could not allocate a compression context (out of memory)")
        }
        let result = ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, Int32(level))
        if ZSTD_isError(result) != 0 {
            ZSTD_freeCCtx(context)
            throw .invalidLevel(level)
        }
        self.context = context
    }

    deinit {
        ZSTD_freeCCtx(context)
    }

    /// Feeds `chunk`; returns whatever compressed bytes are ready (often none).
    public mutating func compress(_ chunk: UnsafeRawBufferPointer) throws(CompressionError) -> [UInt8] {
        var input = ZSTD_inBuffer(src: chunk.baseAddress, size: chunk.count, pos: 0)
        var produced = [UInt8]()
        while input.pos < input.size {
            _ = try step(&input, directive: ZSTD_e_continue, into: &produced)
        }
        return produced
    }

    /// Feeds `chunk`; returns whatever compressed bytes are ready (often none).
    public mutating func compress(_ chunk: [UInt8]) throws(CompressionError) -> [UInt8] {
        try chunk.withUnsafeBytes { buffer in
            Result { () throws(CompressionError) in try compress(buffer) }
        }.get()
    }

    /// Ends the frame and returns the remaining compressed bytes. The compressor can then
    /// start a new frame.
    public mutating func finish() throws(CompressionError) -> [UInt8] {
        var input = ZSTD_inBuffer(src: nil, size: 0, pos: 0)
        var produced = [UInt8]()
        while try step(&input, directive: ZSTD_e_end, into: &produced) != 0 {}
        return produced
    }

    /// One `ZSTD_compressStream2` call; returns zstd's "bytes still to flush" hint.
    private func step(_ input: inout ZSTD_inBuffer, directive: ZSTD_EndDirective, into produced: inout [UInt8]) throws(CompressionError) -> Int {
        var buffer = [UInt8](repeating: 0, count: outputChunkSize)
        let (result, written) = buffer.withUnsafeMutableBytes { out in
            var output = ZSTD_outBuffer(dst: out.baseAddress, size: out.count, pos: 0)
            let result = ZSTD_compressStream2(context, &output, &input, directive)
            return (result, output.pos)
        }
        if ZSTD_isError(result) != 0 { throw .corrupt(reason: Zstd.errorName(result)) }
        produced.append(contentsOf: buffer[0..<written])
        return result
    }
}
