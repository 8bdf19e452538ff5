/// Max and average pooling over [batch, channels, height, width] (no padding).
extension Tensor {
    /// The largest value of each window; the gradient goes to that element.
    public func maxPool2d(kernel: Int, stride: Int? = nil) throws -> Tensor {
        let (g, out) = try poolSetup("maxPool2d", kernel, stride ?? kernel)
        var picks = [Int32](repeating: 0, count: out.count)
        let x = storage.pointer, y = out.storage.pointer
        let (oh, ow) = (out.shape[2], out.shape[3])
        if kernel == 2 && g.stride == 2 {
            // The common 2×2 window: four loads, no inner loops; planes split across threads.
            picks.withUnsafeMutableBufferPointer { chosen in
                Parallel.split(g.batch * g.channels, cost: g.height * g.width) { planes in
                    for plane in planes {
                        let src = x + plane * g.height * g.width
                        for i in 0..<oh {
                            let top = 2 * i * g.width, out = (plane * oh + i) * ow
                            for j in 0..<ow {
                                var best = top + 2 * j
                                var value = src[best]
                                if src[best + 1] > value { value = src[best + 1]; best += 1 }
                                let below = top + 2 * j + g.width
                                if src[below] > value { value = src[below]; best = below }
                                if src[below + 1] > value { value = src[below + 1]; best = below + 1 }
                                y[out + j] = value
                                chosen[out + j] = Int32(best)
                            }
                        }
                    }
                }
            }
            return out.recorded(.maxPool(picks: picks, planeSize: g.height * g.width), self)
        }
        for plane in 0..<(g.batch * g.channels) {
            let src = x + plane * g.height * g.width
            for i in 0..<oh { for j in 0..<ow {
                var best = (i * g.stride) * g.width + j * g.stride
                var value = src[best]
                for a in 0..<kernel { for b in 0..<kernel {
                    let at = (i * g.stride + a) * g.width + j * g.stride + b
                    if src[at] > value { value = src[at]; best = at }
                } }
                let o = (plane * oh + i) * ow + j
                y[o] = value
                picks[o] = Int32(best)
            } }
        }
        return out.recorded(.maxPool(picks: picks, planeSize: g.height * g.width), self)
    }

    /// The mean of each window.
    public func avgPool2d(kernel: Int, stride: Int? = nil) throws -> Tensor {
        let (g, out) = try poolSetup("avgPool2d", kernel, stride ?? kernel)
        let x = storage.pointer, y = out.storage.pointer
        let (oh, ow) = (out.shape[2], out.shape[3])
        let scale = 1 / Float(kernel * kernel)
        for plane in 0..<(g.batch * g.channels) {
            let src = x + plane * g.height * g.width
            for i in 0..<oh { for j in 0..<ow {
                var s: Float = 0
                for a in 0..<kernel { for b in 0..<kernel { s += src[(i * g.stride + a) * g.width + j * g.stride + b] } }
                y[(plane * oh + i) * ow + j] = s * scale
            } }
        }
        return out.recorded(.avgPool(g), self)
    }

    /// The mean over height and width: [batch, channels, h, w] → [batch, channels].
    public func globalAvgPool() throws -> Tensor {
        guard rank == 4 else { throw TensorError("globalAvgPool", "expects [batch, channels, height, width], got \(describe(shape))") }
        return try reshaped([shape[0], shape[1], shape[2] * shape[3]]).mean(axis: 2)
    }

    private func poolSetup(_ op: String, _ kernel: Int, _ stride: Int) throws -> (ConvGeometry, Tensor) {
        guard rank == 4 else { throw TensorError(op, "expects [batch, channels, height, width], got \(describe(shape))") }
        guard kernel >= 1, stride >= 1, kernel <= shape[2], kernel <= shape[3] else {
            throw TensorError(op, "kernel \(kernel) and stride \(stride) do not fit input \(describe(shape))")
        }
        let g = try ConvGeometry(input: shape, weight: [shape[1], shape[1], kernel, kernel], stride: stride, padding: 0)
        return (g, Tensor(uninitialized: [g.batch, g.channels, g.outHeight, g.outWidth]))
    }
}

/// Gradient of average pooling: each output's gradient spread evenly over its window.
func avgPoolBackward(_ g: ConvGeometry, _ gradient: Tensor) -> Tensor {
    let dx = Tensor.zeros([g.batch, g.channels, g.height, g.width])
    let k = g.kernelHeight
    let scale = 1 / Float(k * k)
    let dy = gradient.storage.pointer, d = dx.storage.pointer
    for plane in 0..<(g.batch * g.channels) {
        let dst = d + plane * g.height * g.width
        for i in 0..<g.outHeight { for j in 0..<g.outWidth {
            let v = dy[(plane * g.outHeight + i) * g.outWidth + j] * scale
            for a in 0..<k { for b in 0..<k { dst[(i * g.stride + a) * g.width + j * g.stride + b] += v } }
        } }
    }
    return dx
}
