import CZstd

/// One-shot zstd compression and bounded decompression.
public enum Zstd {
    /// Levels zstd accepts; 0 means zstd's default, negative levels trade ratio for speed.
    public static var levelRange: ClosedRange<Int> {
        Int(ZSTD_minCLevel())...Int(ZSTD_maxCLevel())
    }

    /// One complete zstd frame holding `input` (which records the content size).
    /// Throws `invalidLevel` for a level outside `levelRange`.
    public static func compress(_ input: UnsafeRawBufferPointer, level: Int = 3) throws(CompressionError) -> [UInt8] {
        try checkLevel(level)
        let bound = ZSTD_compressBound(input.count)
        var output = [UInt8](repeating: 0, count: bound)
        let written = output.withUnsafeMutableBytes { out in
            ZSTD_compress(out.baseAddress, out.count, input.baseAddress, input.count, Int32(level))
        }
        if ZSTD_isError(written) != 0 { throw .corrupt(reason: errorName(written)) }
        output.removeSubrange(written...)
        return output
    }

    /// One complete zstd frame holding `input`.
    public static func compress(_ input: [UInt8], level: Int = 3) throws(CompressionError) -> [UInt8] {
        try input.withUnsafeBytes { buffer in
            Result { () throws(CompressionError) in try compress(buffer, level: level) }
        }.get()
    }

    /// Decompresses one or more concatenated frames into at most `maxSize` bytes.
    ///
    /// The frame's declared content size is never trusted: output is produced in bounded steps
    /// and `exceedsLimit` is thrown as soon as it would pass `maxSize`. Empty input or input that
    /// stops inside a frame is `truncated`; anything zstd rejects is `corrupt`.
    public static func decompress(_ input: UnsafeRawBufferPointer, maxSize: Int) throws(CompressionError) -> [UInt8] {
        var decompressor = try ZstdDecompressor(maxOutput: maxSize)
        let output = try decompressor.decompress(input)
        try decompressor.finish()
        return output
    }

    /// Decompresses one or more concatenated frames into at most `maxSize` bytes.
    public static func decompress(_ input: [UInt8], maxSize: Int) throws(CompressionError) -> [UInt8] {
        try input.withUnsafeBytes { buffer in
            Result { () throws(CompressionError) in try decompress(buffer, maxSize: maxSize) }
        }.get()
    }

    static func checkLevel(_ level: Int) throws(CompressionError) {
        guard levelRange.contains(level) else { throw .invalidLevel(level) }
    }

    static func errorName(_ code: Int) -> String {
        String(cString: ZSTD_getErrorName(code))
    }
}
