/// The three gradients of `conv2d`, one image at a time like the forward pass: the image is
/// unfolded again (cheaper than keeping the whole batch's columns), then
/// dW += dOut_n · cols_nᵀ, dCols_n = Wᵀ · dOut_n folded back into dx_n, db = Σ dOut.
///
/// dW is summed over fixed groups of images and then over the groups in order, so its bits do
/// not depend on how many threads shared the groups.
func conv2dBackward(_ g: ConvGeometry, input: Tensor, weight: Tensor, gradient: Tensor, needs: [Bool]) -> [Tensor?] {
    let (plane, o, patch) = (g.columns, g.outChannels, g.patch)
    let group = 8
    let groups = (g.batch + group - 1) / group
    let x = input.storage.pointer, w = weight.storage.pointer, dy = gradient.storage.pointer
    let dx = needs[0] ? Tensor(uninitialized: input.shape) : nil
    let partial = needs[1] ? Storage(uninitialized: groups * o * patch) : nil
    let dxp = dx?.storage.pointer, pp = partial?.pointer
    Parallel.split(groups, cost: group * 2 * o * patch * plane) { part in
        let cols = Storage(uninitialized: patch * plane)
        for k in part {
            for n in (k * group)..<Swift.min((k + 1) * group, g.batch) {
                let dyn = dy + n * o * plane
                if let pp {
                    im2col(x + n * g.imageSize, g, cols.pointer)
                    BLAS.gemm(dyn, transposeA: false, cols.pointer, transposeB: true, pp + k * o * patch,
                              m: o, n: patch, k: plane, beta: n == k * group ? 0 : 1, threaded: false)
                }
                if let dxp {
                    BLAS.gemm(w, transposeA: true, dyn, transposeB: false, cols.pointer, m: patch, n: plane, k: o, threaded: false)
                    col2im(cols.pointer, g, dxp + n * g.imageSize)
                }
            }
        }
    }
    var dWeight: Tensor?
    if let pp {
        let dw = Tensor(uninitialized: weight.shape)
        let d = dw.storage.pointer
        d.update(from: pp, count: o * patch)
        for k in 1..<Swift.max(groups, 1) {
            let s = pp + k * o * patch
            for i in 0..<(o * patch) { d[i] += s[i] }
        }
        dWeight = dw
    }
    var dBias: Tensor?
    if needs.count > 2 && needs[2] {
        let db = Tensor.zeros([o])
        let d = db.storage.pointer
        for n in 0..<g.batch { for c in 0..<o { d[c] += rowSum(dy + (n * o + c) * plane, plane) } }
        dBias = db
    }
    return [dx, dWeight, dBias]
}
