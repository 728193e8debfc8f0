import CZstd

/// Streaming zstd decompression with a hard cap on total output.
///
/// The frame's declared content size is never trusted. Output is produced into buffers no
/// larger than what is left under the cap plus one byte, so at most `maxOutput` bytes are ever
/// returned and `exceedsLimit` is thrown the moment more would be produced. Frames whose window
/// exceeds both the cap and 8 MiB are refused as `corrupt` so a hostile header cannot make zstd
/// allocate a large window either. After any error the decompressor keeps throwing that error.
public struct ZstdDecompressor: ~Copyable {
    private let context: OpaquePointer
    private let maxOutput: Int
    private var produced = 0
    /// True between frames: nothing fed yet counts as not at a boundary, so empty input is truncated.
    private var atFrameBoundary = false
    private var sawInput = false
    private var failure: CompressionError?

    /// A decompressor that refuses to produce more than `maxOutput` bytes in total.
    public init(maxOutput: Int) throws(CompressionError) {
        guard let context = ZSTD_createDCtx() else {
            throw .corrupt(reason: "could not allocate a decompression context (out of memory)")
        }
        self.context = context
        self.maxOutput = max(0, maxOutput)
        // A frame's window is allocated up front, so a hostile header could demand zstd's default
        // maximum (128 MiB) for a tiny cap. Allow windows up to the cap, but never below 8 MiB,
        // which every zstd level up to 19 fits in when streaming.
        let neededLog = self.maxOutput <= 1 ? 0 : Int.bitWidth - (self.maxOutput - 1).leadingZeroBitCount
        _ = ZSTD_DCtx_setParameter(context, ZSTD_d_windowLogMax, Int32(min(27, max(23, neededLog))))
    }

    deinit {
        ZSTD_freeDCtx(context)
    }

    /// Feeds `chunk`; returns the bytes it decompressed to. Throws `exceedsLimit` if the total
    /// would pass the cap and `corrupt` for input zstd rejects.
    public mutating func decompress(_ chunk: UnsafeRawBufferPointer) throws(CompressionError) -> [UInt8] {
        if let failure { throw failure }
        do {
            return try feed(chunk)
        } catch {
            failure = error
            throw error
        }
    }

    /// Feeds `chunk`; returns the bytes it decompressed to.
    public mutating func decompress(_ chunk: [UInt8]) throws(CompressionError) -> [UInt8] {
        try chunk.withUnsafeBytes { buffer in
            Result { () throws(CompressionError) in try decompress(buffer) }
        }.get()
    }

    /// Succeeds only if the input fed so far ended exactly at the end of a frame; throws
    /// `truncated` if it stopped inside one or no input was fed.
    public mutating func finish() throws(CompressionError) {
        if let failure { throw failure }
        guard sawInput && atFrameBoundary else { throw .truncated }
    }

    private mutating func feed(_ chunk: UnsafeRawBufferPointer) throws(CompressionError) -> [UInt8] {
        var input = ZSTD_inBuffer(src: chunk.baseAddress, size: chunk.count, pos: 0)
        var output = [UInt8]()
        var outputWasFull = false
        let chunkSize = ZSTD_DStreamOutSize()
        var buffer = [UInt8](repeating: 0, count: chunkSize)
        while input.pos < input.size || outputWasFull {
            // One byte past the cap is room enough to notice a bomb without decoding it.
            let remaining = maxOutput - produced
            let capacity = remaining < chunkSize ? remaining + 1 : chunkSize
            let consumedBefore = input.pos
            let (result, written) = buffer.withUnsafeMutableBytes { out in
                var outBuffer = ZSTD_outBuffer(dst: out.baseAddress, size: capacity, pos: 0)
                let result = ZSTD_decompressStream(context, &outBuffer, &input)
                return (result, outBuffer.pos)
            }
            if ZSTD_isError(result) != 0 { throw .corrupt(reason: Zstd.errorName(result)) }
            if input.pos > consumedBefore { sawInput = true }
            produced += written
            guard produced <= maxOutput else { throw .exceedsLimit(limit: maxOutput) }
            output.append(contentsOf: buffer[0..<written])
            if result == 0 {
                atFrameBoundary = true
            } else if input.pos > consumedBefore || written > 0 {
                atFrameBoundary = false
            }
            outputWasFull = written == capacity
        }
        return output
    }
}
