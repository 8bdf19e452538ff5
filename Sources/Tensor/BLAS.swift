internal import CBLAS
import Synchronization

/// OpenBLAS settings for the process.
public enum BLAS {
    /// Threads one trial may use (a worker's `--threads N`). OpenBLAS itself always runs on one
    /// thread: a GEMM of `parallelWork` multiply-adds or more is split into row blocks of C
    /// (at multiples of `rowUnit`) across Sweep's own threads (`Parallel`), like the elementwise passes. With
    /// OpenBLAS's pool, its idle threads spun on the core those passes needed (a CNN step at 2
    /// threads was slower than at 1).
    public static var threads: Int {
        get { configured.load(ordering: .relaxed) }
        set {
            _ = singleThreaded
            configured.store(Swift.max(1, newValue), ordering: .relaxed)
        }
    }

    private static let configured = Atomic<Int>(1)
    /// OpenBLAS on one thread, set once before the first GEMM.
    private static let singleThreaded: Void = openblas_set_num_threads(1)
    /// Multiply-adds (m·n·k) from which a GEMM is split across threads (about 50 µs of work).
    static let parallelWork = 1 << 22

    /// C ← α·op(A)·op(B) + β·C on row-major matrices, op = transpose when asked: the transposes
    /// are folded into the call, never copied. A is m×k after op, B is k×n, C is m×n. `threaded:
    /// false` inside a part of a `Parallel` split, which already uses every thread.
    static func gemm(
        _ a: UnsafePointer<Float>, transposeA: Bool,
        _ b: UnsafePointer<Float>, transposeB: Bool,
        _ c: UnsafeMutablePointer<Float>,
        m: Int, n: Int, k: Int, alpha: Float = 1, beta: Float = 0, threaded: Bool = true
    ) {
        _ = singleThreaded
        guard m > 0, n > 0 else { return }
        guard k > 0 else {
            if beta == 0 { c.update(repeating: 0, count: m * n) }
            return
        }
        // Leading dimensions of the stored matrices: op(A) is m×k, op(B) is k×n.
        let lda = transposeA ? m : k, ldb = transposeB ? k : n
        guard threaded, threads > 1, m * n * k >= parallelWork else {
            call(a, transposeA, lda, b, transposeB, ldb, c, n, m: m, n: n, k: k, alpha: alpha, beta: beta)
            return
        }
        // Row blocks of C (rows of op(A): columns of A when it is transposed), cut at multiples of
        // `rowUnit`. Row-major C is OpenBLAS's column-major Cᵀ, so its rows are OpenBLAS's columns,
        // which it takes in panels of a few times its kernel's width: a cut inside a panel changes
        // the kernel that computes the rows around it, and their last bits (seen on AMD EPYC with
        // OpenBLAS's Haswell kernels, where 150 of 300 rows changed 3,319 elements and 144 none).
        // Columns are blocked by a cache size OpenBLAS does not expose, so they are never cut:
        // a GEMM with no more rows than one unit runs on one thread.
        let blocks = (m + rowUnit - 1) / rowUnit
        Parallel.split(blocks, cost: rowUnit * n * k) { part in
            let rows = part.lowerBound * rowUnit..<Swift.min(m, part.upperBound * rowUnit)
            let start = rows.lowerBound
            call(a + (transposeA ? start : start * lda), transposeA, lda, b, transposeB, ldb, c + start * n, n,
                 m: rows.count, n: n, k: k, alpha: alpha, beta: beta)
        }
    }

    /// Where a GEMM's rows may be cut: a multiple of the panel widths OpenBLAS's SGEMM kernels
    /// use (3 or 6 times a kernel width of 2, 4 or 8; 12 on AMD EPYC here). 48 was safer still,
    /// but a batch of 128 then splits 48/80 and 2 threads trained an MLP no faster than 1.
    static let rowUnit = 24

    private static func call(
        _ a: UnsafePointer<Float>, _ transposeA: Bool, _ lda: Int, _ b: UnsafePointer<Float>, _ transposeB: Bool, _ ldb: Int,
        _ c: UnsafeMutablePointer<Float>, _ ldc: Int, m: Int, n: Int, k: Int, alpha: Float, beta: Float
    ) {
        cblas_sgemm(
            CblasRowMajor,
            transposeA ? CblasTrans : CblasNoTrans,
            transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha,
            a, Int32(lda),
            b, Int32(ldb),
            beta, c, Int32(ldc))
    }
}
