import CMalloc

/// Keeps frame-sized buffers in the heap. glibc serves allocations over 128 KiB with a fresh
/// `mmap` each, so every 1 MiB frame would fault its pages in anew (measured: page faults and
/// zeroing were a larger share of a transfer's CPU than AES-GCM itself). Allocations up to
/// 8 MiB come from the heap and are reused; the heap is trimmed once 32 MiB are free at its top,
/// so an idle agent does not keep a transfer's buffers.
public enum AllocatorTuning {
    /// Call once at start, before any transfer (the agent's `run` and the benchmarks do).
    public static func keepFrameBuffersInHeap() {
        _ = mallopt(M_MMAP_THRESHOLD, 8 << 20)
        _ = mallopt(M_TRIM_THRESHOLD, 32 << 20)
    }
}
