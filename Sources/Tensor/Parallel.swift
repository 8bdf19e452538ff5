import Foundation
import Synchronization

/// Splits loops across the threads one trial may use (`BLAS.threads`), so that with 2 threads the
/// GEMMs, elementwise, normalization, im2col/col2im and pooling passes use both cores. Each part
/// is a contiguous range and every element is computed as it would be on one thread, so the
/// results do not depend on the thread count.
///
/// The parts run on the calling thread and on helper threads that wait on a semaphore between
/// loops. (`DispatchQueue.concurrentPerform` called from a Swift task ran both parts on the
/// calling thread.) One split runs at a time: a split that finds the helpers busy — another
/// task's, or one nested inside a part — runs on its own thread.
public enum Parallel {
    /// Work (elements × cost) below which a loop stays on the calling thread: waking a helper
    /// costs a futex call, ten microseconds or so, about what 2¹⁸ elements of a simple pass take
    /// (16K-element tanh splits made an RNN step slower).
    static let grain = 1 << 18

    /// Calls `body` on contiguous parts of `0..<count` (one per thread) when `count · cost`
    /// reaches `grain` and more than one thread is configured; else once with the whole range.
    public static func split(_ count: Int, cost: Int = 1, _ body: (Range<Int>) -> Void) {
        let threads = BLAS.threads
        guard threads > 1, count > 1, count * cost >= grain, Helpers.shared.acquire() else {
            body(0..<count)
            return
        }
        defer { Helpers.shared.release() }
        let parts = Swift.min(threads, count)
        withoutActuallyEscaping(body) { body in
            Helpers.shared.run(parts: parts) { part in body((count * part / parts)..<(count * (part + 1) / parts)) }
        }
    }
}

/// Threads that run parts 1… of a split while the caller runs part 0.
final class Helpers: @unchecked Sendable {
    static let shared = Helpers()

    private final class Helper: @unchecked Sendable {
        let start = DispatchSemaphore(value: 0), done = DispatchSemaphore(value: 0)
        /// The part to run, set before `start` is signalled (the semaphore orders the accesses).
        var job: ((Int) -> Void)?
        var part = 0
    }

    private let busy = Atomic<Bool>(false)
    /// Only touched by the holder of `busy`.
    private var helpers: [Helper] = []

    func acquire() -> Bool { busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged }
    func release() { busy.store(false, ordering: .releasing) }

    /// Runs `job(0)` here and `job(1..<parts)` on helpers, returning when all are done.
    func run(parts: Int, _ job: @escaping (Int) -> Void) {
        while helpers.count < parts - 1 {
            let helper = Helper()
            let thread = Thread {
                while true {
                    helper.start.wait()
                    helper.job?(helper.part)
                    helper.job = nil
                    helper.done.signal()
                }
            }
            thread.name = "sweep-parallel-\(helpers.count + 1)"
            thread.start()
            helpers.append(helper)
        }
        for part in 1..<parts {
            let helper = helpers[part - 1]
            helper.job = job
            helper.part = part
            helper.start.signal()
        }
        job(0)
        for part in 1..<parts { helpers[part - 1].done.wait() }
    }
}
