internal import CKernels

/// exp, σ and tanh through the C kernels (libm's scalar tanhf and expf were a fifth of a tanh or
/// sigmoid MLP's step, and Swift's SIMD forms were not inlined), split across threads; the tests
/// compare them with libm. Rectifiers are written out here too, for the same reason.

/// e^x: Cephes' expf, within 2 ulp of `exp` on [-87, 88]; beyond that it saturates to 0 / +inf
/// as `exp` does, and keeps NaN.
func vectorExp(_ x: Tensor) -> Tensor { elementwise(x, sweep_exp) }

/// 1 / (1 + e^-x): e^-x saturates to +inf or 0, so the result does too, without overflow traps.
func vectorSigmoid(_ x: Tensor) -> Tensor { elementwise(x, sweep_sigmoid) }

/// Cephes' tanhf: x + x³·P(x²) for |x| < 0.625, else 1 − 2/(e^{2|x|} + 1) with the sign put back.
func vectorTanh(_ x: Tensor) -> Tensor { elementwise(x, sweep_tanh) }

/// A C kernel over the elements, the parts split across threads.
func elementwise(_ x: Tensor, _ kernel: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void) -> Tensor {
    let out = Tensor(uninitialized: x.shape)
    let src = x.storage.pointer, dst = out.storage.pointer
    Parallel.split(x.count, cost: 4) { r in kernel(src + r.lowerBound, dst + r.lowerBound, r.count) }
    return out
}

/// `values` where x > 0, else slope·values, split across threads: the rectifier itself when
/// `values` is x (ReLU when slope is 0), its gradient when `values` is the output's gradient.
/// `values` may be `x`: both are only read.
func rectified(_ values: Tensor, by x: Tensor, slope: Float) -> Tensor {
    let out = Tensor(uninitialized: x.shape)
    let v = values.storage.pointer, s = x.storage.pointer, d = out.storage.pointer
    Parallel.split(x.count) { r in sweep_rectify(v + r.lowerBound, s + r.lowerBound, d + r.lowerBound, r.count, slope) }
    return out
}
