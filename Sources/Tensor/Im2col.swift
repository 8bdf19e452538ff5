/// One image's patches as columns, and back: the data movement around the convolution GEMMs.

/// Unfolds one image [channels, height, width] into columns [channels·kh·kw, oh·ow]: row
/// (c, kh, kw), column (oh, ow); zeros where the window overhangs the padding.
func im2col(_ image: UnsafeMutablePointer<Float>, _ g: ConvGeometry, _ cols: UnsafeMutablePointer<Float>) {
    for c in 0..<g.channels { for kh in 0..<g.kernelHeight { for kw in 0..<g.kernelWidth {
        let row = cols + ((c * g.kernelHeight + kh) * g.kernelWidth + kw) * g.columns
        let channel = image + c * g.height * g.width
        for oh in 0..<g.outHeight {
            let dst = row + oh * g.outWidth
            let ih = oh * g.stride + kh - g.padding
            guard ih >= 0 && ih < g.height else {
                dst.update(repeating: 0, count: g.outWidth)
                continue
            }
            let src = channel + ih * g.width
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
    } } }
}

/// Adds one image's columns back into its gradient [channels, height, width] (which it zeroes
/// first): the transpose of `im2col`. Each element sums its contributions in (kh, kw, oh) order.
func col2im(_ cols: UnsafeMutablePointer<Float>, _ g: ConvGeometry, _ image: UnsafeMutablePointer<Float>) {
    image.update(repeating: 0, count: g.imageSize)
    for c in 0..<g.channels { for kh in 0..<g.kernelHeight { for kw in 0..<g.kernelWidth {
        let row = cols + ((c * g.kernelHeight + kh) * g.kernelWidth + kw) * g.columns
        let channel = image + c * g.height * g.width
        for oh in 0..<g.outHeight {
            let ih = oh * g.stride + kh - g.padding
            guard ih >= 0 && ih < g.height else { continue }
            let src = row + oh * g.outWidth
            let dst = channel + ih * g.width
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
    } } }
}
