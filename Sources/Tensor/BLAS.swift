internal import CBLAS
import Synchronization

/// OpenBLAS settings for the process.
public enum BLAS {
    /// Threads OpenBLAS may use for one GEMM (a worker's `--threads N`). Products smaller than
    /// `parallelWork` multiply-adds run on one thread: splitting them costs more than it saves,
    /// and idle OpenBLAS threads spin on the cores the rest of a training step needs.
    public static var threads: Int {
        get { configured.load(ordering: .relaxed) }
        set {
            let n = Swift.max(1, newValue)
            configured.store(n, ordering: .relaxed)
            openblas_set_num_threads(Int32(n))
        }
    }

    private static let configured = Atomic<Int>(Int(openblas_get_num_threads()))
    /// Multiply-adds (m·n·k) from which a GEMM uses every configured thread.
    static let parallelWork = 1 << 25

    /// C ← α·op(A)·op(B) + β·C on row-major matrices, op = transpose when asked: the transposes
    /// are folded into the call, never copied. A is m×k after op, B is k×n, C is m×n.
    static func gemm(
        _ a: UnsafePointer<Float>, transposeA: Bool,
        _ b: UnsafePointer<Float>, transposeB: Bool,
        _ c: UnsafeMutablePointer<Float>,
        m: Int, n: Int, k: Int, alpha: Float = 1, beta: Float = 0
    ) {
        guard m > 0, n > 0 else { return }
        guard k > 0 else {
            if beta == 0 { c.update(repeating: 0, count: m * n) }
            return
        }
        let wide = threads
        let narrow = wide > 1 && m * n * k < parallelWork
        if narrow { openblas_set_num_threads(1) }
        defer { if narrow { openblas_set_num_threads(Int32(wide)) } }
        cblas_sgemm(
            CblasRowMajor,
            transposeA ? CblasTrans : CblasNoTrans,
            transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha,
            a, Int32(transposeA ? m : k),
            b, Int32(transposeB ? k : n),
            beta, c, Int32(n))
    }
}
