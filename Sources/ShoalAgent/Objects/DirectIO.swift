#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLinux
import Synchronization

/// Chunk files are written and read with `O_DIRECT`, between the disk and buffers this process
/// keeps, so their bytes never pass through the page cache.
///
/// Why: a get writes every chunk it receives to a new file and a put every chunk it cuts, so with
/// buffered I/O each byte lands in a page-cache page freshly taken from free memory. On a VM whose
/// free memory goes back to the host (a balloon with free-page reporting, as here), each such page
/// costs a host fault on first use: `perf` put 73 % of a get's CPU in the kernel's copy into
/// page-cache pages, and writing 256 one-MiB files then syncing took 4.3 s buffered against
/// 0.24 s direct (README "Objects against Ray"). Direct I/O moves the bytes between
/// the disk and a few buffers reused from `DirectIO.buffers`, which stay mapped.
///
/// Alignment: `O_DIRECT` wants the buffer, the file offset and the length aligned to the
/// device's logical block; 4096 covers every block size Linux uses. A file is written whole
/// from offset 0 in a buffer padded to the next multiple of 4096, then cut to its length with
/// `ftruncate`. Where `O_DIRECT` is refused (a file system without it answers EINVAL at open,
/// or a write of an aligned buffer fails with EINVAL), the same calls run buffered.
///
/// Crash safety is the callers': a chunk file is still written under `tmp/`, flushed
/// (`fsync`, or `syncfs` at a staging's commit: direct I/O still leaves the size and the
/// device's write cache to them) and renamed into place.
enum DirectIO {
    /// The alignment of buffers, offsets and lengths.
    static let alignment = 4096

    /// Aligned buffers by capacity (a power of two), up to 16 MiB of them kept for reuse: eight
    /// of the 2 MiB ones a standard 1 MiB chunk file takes, whatever sizes peers' objects use.
    static let buffers = BufferPool(keepBytes: 16 << 20)

    static func roundedUp(_ count: Int) -> Int { (count + alignment - 1) / alignment * alignment }

    /// Opens `path` with `flags` plus `O_DIRECT`, or without it where the file system refuses
    /// it. Answers the descriptor (or -1 with errno set) and whether it is direct.
    static func open(_ path: String, _ flags: Int32, _ mode: mode_t = 0) -> (fd: Int32, direct: Bool) {
        let fd = Glibc.open(path, flags | shoal_o_direct, mode)
        if fd >= 0 { return (fd, true) }
        guard errno == EINVAL else { return (-1, false) }
        return (Glibc.open(path, flags, mode), false)
    }

    /// Writes `bytes` at the start of the new, empty file `fd`: through an aligned buffer when
    /// `direct`, then cut to `bytes.count`. A failure is left for the caller to unlink.
    static func write(_ fd: Int32, _ bytes: [UInt8], direct: Bool, path: String) throws(POSIX.CallFailure) {
        guard direct, !bytes.isEmpty else {
            try POSIX.writeAll(fd, bytes, path: path)
            return
        }
        let length = roundedUp(bytes.count)
        guard let buffer = buffers.take(capacity: length) else { throw POSIX.CallFailure(operation: .write, path: path, code: ENOMEM) }
        defer { buffers.give(buffer) }
        bytes.withUnsafeBytes { buffer.base.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        (buffer.base + bytes.count).initializeMemory(as: UInt8.self, repeating: 0, count: length - bytes.count)
        var offset = 0
        var direct = true
        while offset < length {
            offset += try call(fd, &direct, .write, path) { pwrite(fd, buffer.base + offset, length - offset, off_t(offset)) }
        }
        guard ftruncate(fd, off_t(bytes.count)) == 0 else { throw POSIX.CallFailure(operation: .write, path: path, code: errno) }
    }

    /// Up to `count` bytes of `fd` from its start (fewer if the file ends first), read into an
    /// aligned buffer when `direct`.
    static func read(_ fd: Int32, count: Int, direct: Bool, path: String) throws(POSIX.CallFailure) -> [UInt8] {
        guard direct, count > 0 else { return try POSIX.readAll(fd, count: count, path: path) }
        let length = roundedUp(count)
        guard let buffer = buffers.take(capacity: length) else { throw POSIX.CallFailure(operation: .read, path: path, code: ENOMEM) }
        defer { buffers.give(buffer) }
        var offset = 0
        var direct = true
        while offset < count {
            let read = try call(fd, &direct, .read, path) { pread(fd, buffer.base + offset, length - offset, off_t(offset)) }
            if read == 0 { break }
            offset += read
            // A short direct read ends at the end of the file; the next offset would be unaligned.
            if direct, offset % alignment != 0 { break }
        }
        return [UInt8](UnsafeRawBufferPointer(start: buffer.base, count: min(offset, count)))
    }

    /// Runs one `pread` or `pwrite` until it does not fail with EINTR. An EINVAL while `direct`
    /// means the device wants another alignment than 4096 after all: `O_DIRECT` is cleared from
    /// `fd`, `direct` set false, and the call made again buffered. Answers the bytes moved.
    private static func call(
        _ fd: Int32, _ direct: inout Bool, _ operation: POSIX.CallFailure.Operation, _ path: String, _ body: () -> Int
    ) throws(POSIX.CallFailure) -> Int {
        while true {
            let moved = body()
            if moved >= 0 { return moved }
            let code = errno
            if code == EINTR { continue }
            if code == EINVAL, direct, fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~shoal_o_direct) == 0 {
                direct = false
                continue
            }
            throw POSIX.CallFailure(operation: operation, path: path, code: code)
        }
    }

    /// A page-aligned allocation of `capacity` bytes.
    struct Buffer: @unchecked Sendable {
        let base: UnsafeMutableRawPointer
        let capacity: Int
    }

    /// Buffers kept between uses, so the pages under them stay mapped (a new allocation of a
    /// MiB or more is a fresh `mmap`, whose pages fault on first touch like the page cache's).
    /// At most `keepBytes` of capacity is kept, in all sizes together; a buffer given back
    /// beyond that is freed, so the pool never holds more whatever chunk sizes it has served.
    final class BufferPool: Sendable {
        let keepBytes: Int
        private let free = Mutex<(bySize: [Int: [Buffer]], bytes: Int)>(([:], 0))

        init(keepBytes: Int) { self.keepBytes = keepBytes }

        /// A buffer of at least `capacity` bytes (the next power of two, at least 64 KiB); nil
        /// when the memory cannot be had.
        func take(capacity: Int) -> Buffer? {
            let size = max(64 * 1024, 1 << (Int.bitWidth - (capacity - 1).leadingZeroBitCount))
            let kept = free.withLock { free -> Buffer? in
                guard let buffer = free.bySize[size]?.popLast() else { return nil }
                free.bytes -= buffer.capacity
                return buffer
            }
            if let kept { return kept }
            var pointer: UnsafeMutableRawPointer?
            guard posix_memalign(&pointer, DirectIO.alignment, size) == 0, let pointer else { return nil }
            return Buffer(base: pointer, capacity: size)
        }

        /// Returns `buffer` for reuse, or frees it when keeping it would pass `keepBytes`.
        func give(_ buffer: Buffer) {
            let kept = free.withLock { free -> Bool in
                guard free.bytes + buffer.capacity <= keepBytes else { return false }
                free.bySize[buffer.capacity, default: []].append(buffer)
                free.bytes += buffer.capacity
                return true
            }
            if !kept { Glibc.free(buffer.base) }
        }

        /// How many buffers are kept now, and their capacity in all (tests).
        var keptCount: Int { free.withLock { $0.bySize.values.reduce(0) { $0 + $1.count } } }
        var keptBytes: Int { free.withLock { $0.bytes } }
    }
}
