import Tensor
import TrialSpecs

extension Augmentation {
    /// Applies the changes in place, one independent draw per image.
    public func apply<G: RandomNumberGenerator>(to batch: Tensor, using generator: inout G) {
        guard !isIdentity, batch.rank == 4 else { return }
        let (n, c, h, w) = (batch.shape[0], batch.shape[1], batch.shape[2], batch.shape[3])
        let reach = Swift.max(cropPadding, translate)
        var scratch = [Float](repeating: 0, count: c * h * w)
        batch.withUnsafeMutableBufferPointer { pixels in
            for i in 0..<n {
                let image = pixels.baseAddress! + i * c * h * w
                let mirror = flip && generator.next() & 1 == 1
                let dy = reach > 0 ? Int(generator.next() % UInt64(2 * reach + 1)) - reach : 0
                let dx = reach > 0 ? Int(generator.next() % UInt64(2 * reach + 1)) - reach : 0
                if !mirror && dy == 0 && dx == 0 { continue }
                // A crop of the zero-padded image at offset (p+dy, p+dx) is a shift by (dy, dx).
                for ch in 0..<c { for y in 0..<h { for x in 0..<w {
                    let sy = y + dy, sxShifted = x + dx
                    let sx = mirror ? w - 1 - sxShifted : sxShifted
                    scratch[(ch * h + y) * w + x] = sy >= 0 && sy < h && sx >= 0 && sx < w ? image[(ch * h + sy) * w + sx] : 0
                } } }
                scratch.withUnsafeBufferPointer { image.update(from: $0.baseAddress!, count: c * h * w) }
            }
        }
    }
}
