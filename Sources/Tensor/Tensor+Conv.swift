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

/// Convolution as im2col + GEMM one image at a time: an image's columns (channels·k² × pixels)
/// stay in cache between im2col and the GEMM that reads them, the GEMM writes the output in its
/// final [out, pixels] layout, and nothing the size of the whole batch's columns is kept for the
/// backward pass (it unfolds each image again). Images are split across a trial's threads.
extension Tensor {
    /// 2-D cross-correlation. self: [batch, channels, height, width]; weight: [out, channels,
    /// kh, kw]; bias: [out]. Returns [batch, out, oh, ow].
    public func conv2d(_ weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Int = 0) throws -> Tensor {
        let g = try ConvGeometry(input: shape, weight: weight.shape, stride: stride, padding: padding)
        if let bias, bias.shape != [g.outChannels] {
            throw TensorError("conv2d", "bias shape \(describe(bias.shape)) should be [\(g.outChannels)] for weight \(describe(weight.shape))")
        }
        let out = Tensor(uninitialized: [g.batch, g.outChannels, g.outHeight, g.outWidth])
        let (plane, o) = (g.outHeight * g.outWidth, g.outChannels)
        let x = storage.pointer, w = weight.storage.pointer, y = out.storage.pointer, biases = bias?.storage.pointer
        Parallel.split(g.batch, cost: o * g.patch * plane) { images in
            let cols = Storage(uninitialized: g.patch * plane)
            for n in images {
                im2col(x + n * g.imageSize, g, cols.pointer)
                let yn = y + n * o * plane
                if let biases { for c in 0..<o { (yn + c * plane).update(repeating: biases[c], count: plane) } }
                // [out, patch] · [patch, pixels] (+ the bias rows) → [out, pixels].
                BLAS.gemm(w, transposeA: false, cols.pointer, transposeB: false, yn, m: o, n: plane, k: g.patch,
                          beta: biases == nil ? 0 : 1, threaded: false)
            }
        }
        var inputs = [self, weight]
        if let bias { inputs.append(bias) }
        out.recordOp({ .conv2d(g) }, inputs)
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
    /// Columns of one image's column matrix: oh · ow.
    var columns: Int { outHeight * outWidth }
    /// Elements of one input image: channels · height · width.
    var imageSize: Int { channels * height * width }

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
