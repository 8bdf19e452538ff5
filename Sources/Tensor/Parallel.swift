import Dispatch

/// Splits loops across the threads one trial may use (`BLAS.threads`), so that with 2 threads the
/// elementwise, normalization and im2col passes use both cores, not only the GEMMs. Each part is
/// a contiguous range and every element is computed as it would be on one thread, so the results
/// do not depend on the thread count.
public enum Parallel {
    /// Work (elements × cost) below which a loop stays on the calling thread: waking a second
    /// thread costs a futex call, ten microseconds or so, about what 2¹⁸ elements of a simple
    /// pass take (measured: 16K-element tanh splits made an RNN step slower).
    static let grain = 1 << 18

    /// Calls `body` on contiguous parts of `0..<count` (one per thread) when `count · cost`
    /// reaches `grain` and more than one thread is configured; else once with the whole range.
    public static func split(_ count: Int, cost: Int = 1, _ body: (Range<Int>) -> Void) {
        let threads = BLAS.threads
        guard threads > 1, count > 1, count * cost >= grain else {
            body(0..<count)
            return
        }
        let parts = Swift.min(threads, count)
        withoutActuallyEscaping(body) { body in
            // The parts write disjoint ranges and the call returns only when all are done.
            nonisolated(unsafe) let body = body
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                body((count * part / parts)..<(count * (part + 1) / parts))
            }
        }
    }
}
