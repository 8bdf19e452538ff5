/// Geometry of a 2-D convolution or pooling window (dilation 1).
public struct Window: Equatable, Sendable {
    public var kernel: (height: Int, width: Int)
    public var stride: Int
    public var padding: Int

    public init(kernel: Int, stride: Int = 1, padding: Int = 0) {
        self.kernel = (kernel, kernel)
        self.stride = stride
        self.padding = padding
    }

    public static func == (a: Window, b: Window) -> Bool {
        a.kernel == b.kernel && a.stride == b.stride && a.padding == b.padding
    }

    func output(_ height: Int, _ width: Int) -> (Int, Int) {
        ((height + 2 * padding - kernel.height) / stride + 1, (width + 2 * padding - kernel.width) / stride + 1)
    }
}

/// Convolution as im2col + one GEMM over the whole batch.
extension Tensor {
    /// 2-D cross-correlation. self: [batch, channels, height, width]; weight: [out, channels,
    /// kh, kw]; bias: [out]. Returns [batch, out, oh, ow].
    public func conv2d(_ weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Int = 0) throws -> Tensor {
        let g = try ConvGeometry(input: shape, weight: weight.shape, stride: stride, padding: padding)
        if let bias, bias.shape != [g.outChannels] {
            throw TensorError("conv2d", "bias shape \(describe(bias.shape)) should be [\(g.outChannels)] for weight \(describe(weight.shape))")
        }
        let cols = Storage(uninitialized: g.patch * g.columns)
        im2col(storage.pointer, g, cols.pointer)
        // [out, patch] · [patch, batch·oh·ow] → [out, batch·oh·ow], then to [batch, out, oh·ow].
        let product = Storage(uninitialized: g.outChannels * g.columns)
        BLAS.gemm(weight.storage.pointer, transposeA: false, cols.pointer, transposeB: false, product.pointer,
                  m: g.outChannels, n: g.columns, k: g.patch)
        let out = Tensor(uninitialized: [g.batch, g.outChannels, g.outHeight, g.outWidth])
        let plane = g.outHeight * g.outWidth
        let biases = bias?.storage.pointer
        Parallel.split(g.batch, cost: g.outChannels * plane) { images in
            for n in images {
                for o in 0..<g.outChannels {
                    let src = product.pointer + o * g.columns + n * plane
                    let dst = out.storage.pointer + (n * g.outChannels + o) * plane
                    let b = biases?[o] ?? 0
                    for i in 0..<plane { dst[i] = src[i] + b }
                }
            }
        }
        var inputs = [self, weight]
        if let bias { inputs.append(bias) }
        out.recordOp({ .conv2d(g, columns: cols) }, inputs)
        return out
    }

    /// Direct convolution with the same contract as `conv2d`, for checking it.
    public func conv2dReference(_ weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Int = 0) throws -> Tensor {
        let g = try ConvGeometry(input: shape, weight: weight.shape, stride: stride, padding: padding)
        let out = Tensor.zeros([g.batch, g.outChannels, g.outHeight, g.outWidth])
        let x = storage.pointer, w = weight.storage.pointer, y = out.storage.pointer
        for n in 0..<g.batch { for o in 0..<g.outChannels { for oh in 0..<g.outHeight { for ow in 0..<g.outWidth {
            var s: Double = Double(bias?.storage.pointer[o] ?? 0)
            for c in 0..<g.channels { for kh in 0..<g.kernelHeight { for kw in 0..<g.kernelWidth {
                let ih = oh * stride + kh - padding, iw = ow * stride + kw - padding
                guard ih >= 0, ih < g.height, iw >= 0, iw < g.width else { continue }
                s += Double(x[((n * g.channels + c) * g.height + ih) * g.width + iw])
                    * Double(w[((o * g.channels + c) * g.kernelHeight + kh) * g.kernelWidth + kw])
            } } }
            y[((n * g.outChannels + o) * g.outHeight + oh) * g.outWidth + ow] = Float(s)
        } } } }
        return out
    }
}

/// Shapes of one convolution, checked once.
struct ConvGeometry {
    let batch, channels, height, width: Int
    let outChannels, kernelHeight, kernelWidth: Int
    let stride, padding: Int
    let outHeight, outWidth: Int
    /// Rows of the column matrix: channels · kh · kw.
    var patch: Int { channels * kernelHeight * kernelWidth }
    /// Columns of the column matrix: batch · oh · ow.
    var columns: Int { batch * outHeight * outWidth }

    init(input: [Int], weight: [Int], stride: Int, padding: Int) throws {
        guard input.count == 4, weight.count == 4 else {
            throw TensorError("conv2d", "expects input [batch, channels, height, width] and weight [out, channels, kh, kw]; got \(describe(input)) and \(describe(weight))")
        }
        guard input[1] == weight[1] else {
            throw TensorError("conv2d", "input \(describe(input)) has \(input[1]) channels but weight \(describe(weight)) expects \(weight[1])")
        }
        guard stride >= 1, padding >= 0 else { throw TensorError("conv2d", "stride must be ≥ 1 and padding ≥ 0 (got \(stride), \(padding))") }
        (batch, channels, height, width) = (input[0], input[1], input[2], input[3])
        (outChannels, kernelHeight, kernelWidth) = (weight[0], weight[2], weight[3])
        (self.stride, self.padding) = (stride, padding)
        outHeight = (height + 2 * padding - kernelHeight) / stride + 1
        outWidth = (width + 2 * padding - kernelWidth) / stride + 1
        guard height + 2 * padding >= kernelHeight, width + 2 * padding >= kernelWidth else {
            throw TensorError("conv2d", "kernel \(kernelHeight)×\(kernelWidth) is larger than input \(describe(input)) with padding \(padding)")
        }
    }
}

/// Unfolds input patches into columns: row (c, kh, kw), column (n, oh, ow). Images are split
/// across threads (each writes its own columns).
func im2col(_ x: UnsafeMutablePointer<Float>, _ g: ConvGeometry, _ cols: UnsafeMutablePointer<Float>) {
    let plane = g.outHeight * g.outWidth
    Parallel.split(g.batch, cost: g.patch * plane) { images in
    for c in 0..<g.channels { for kh in 0..<g.kernelHeight { for kw in 0..<g.kernelWidth {
        let row = cols + ((c * g.kernelHeight + kh) * g.kernelWidth + kw) * g.columns
        for n in images {
            let image = x + (n * g.channels + c) * g.height * g.width
            for oh in 0..<g.outHeight {
                let dst = row + n * plane + oh * g.outWidth
                let ih = oh * g.stride + kh - g.padding
                guard ih >= 0 && ih < g.height else {
                    dst.update(repeating: 0, count: g.outWidth)
                    continue
                }
                let src = image + ih * g.width
                if g.stride == 1 {
                    // Columns whose input pixel is inside the row form one contiguous run.
                    let shift = kw - g.padding
                    let lo = Swift.max(0, -shift), hi = Swift.min(g.outWidth, g.width - shift)
                    if lo > 0 { dst.update(repeating: 0, count: lo) }
                    if hi > lo { (dst + lo).update(from: src + lo + shift, count: hi - lo) }
                    if hi < g.outWidth { (dst + Swift.max(hi, lo)).update(repeating: 0, count: g.outWidth - Swift.max(hi, lo)) }
                    continue
                }
                for ow in 0..<g.outWidth {
                    let iw = ow * g.stride + kw - g.padding
                    dst[ow] = iw >= 0 && iw < g.width ? src[iw] : 0
                }
            }
        }
    } } }
    }
}

/// Adds columns back into the input gradient: the transpose of `im2col`. Images are split across
/// threads; each element still sums its contributions in (kh, kw, oh) order.
func col2im(_ cols: UnsafeMutablePointer<Float>, _ g: ConvGeometry, _ dx: UnsafeMutablePointer<Float>) {
    let plane = g.outHeight * g.outWidth
    let imageSize = g.channels * g.height * g.width
    Parallel.split(g.batch, cost: g.patch * plane) { images in
    (dx + images.lowerBound * imageSize).update(repeating: 0, count: images.count * imageSize)
    for c in 0..<g.channels { for kh in 0..<g.kernelHeight { for kw in 0..<g.kernelWidth {
        let row = cols + ((c * g.kernelHeight + kh) * g.kernelWidth + kw) * g.columns
        for n in images {
            let image = dx + (n * g.channels + c) * g.height * g.width
            for oh in 0..<g.outHeight {
                let ih = oh * g.stride + kh - g.padding
                guard ih >= 0 && ih < g.height else { continue }
                let src = row + n * plane + oh * g.outWidth
                let dst = image + ih * g.width
                if g.stride == 1 {
                    let shift = kw - g.padding
                    let lo = Swift.max(0, -shift), hi = Swift.min(g.outWidth, g.width - shift)
                    if hi > lo {
                        let d = dst + lo + shift, s = src + lo
                        for i in 0..<(hi - lo) { d[i] += s[i] }
                    }
                    continue
                }
                for ow in 0..<g.outWidth {
                    let iw = ow * g.stride + kw - g.padding
                    if iw >= 0 && iw < g.width { dst[iw] += src[ow] }
                }
            }
        }
    } } }
    }
}

/// The three gradients of `conv2d`.
func conv2dBackward(_ g: ConvGeometry, columns: Storage, weight: Tensor, gradient: Tensor, needs: [Bool]) -> [Tensor?] {
    let plane = g.outHeight * g.outWidth
    // dOut [batch, out, plane] → [out, batch·plane], the layout of the forward product.
    let dOut = Storage(uninitialized: g.outChannels * g.columns)
    Parallel.split(g.batch, cost: g.outChannels * plane) { images in
        for n in images {
            for o in 0..<g.outChannels {
                (dOut.pointer + o * g.columns + n * plane).update(from: gradient.storage.pointer + (n * g.outChannels + o) * plane, count: plane)
            }
        }
    }
    var dInput: Tensor?, dWeight: Tensor?, dBias: Tensor?
    if needs[0] {
        let dCols = Storage(uninitialized: g.patch * g.columns)
        BLAS.gemm(weight.storage.pointer, transposeA: true, dOut.pointer, transposeB: false, dCols.pointer,
                  m: g.patch, n: g.columns, k: g.outChannels)
        let dx = Tensor(uninitialized: [g.batch, g.channels, g.height, g.width])
        col2im(dCols.pointer, g, dx.storage.pointer)
        dInput = dx
    }
    if needs[1] {
        let dw = Tensor(uninitialized: weight.shape)
        BLAS.gemm(dOut.pointer, transposeA: false, columns.pointer, transposeB: true, dw.storage.pointer,
                  m: g.outChannels, n: g.patch, k: g.columns)
        dWeight = dw
    }
    if needs.count > 2 && needs[2] {
        let db = Tensor(uninitialized: [g.outChannels])
        for o in 0..<g.outChannels { db.storage.pointer[o] = rowSum(dOut.pointer + o * g.columns, g.columns) }
        dBias = db
    }
    return [dInput, dWeight, dBias]
}
