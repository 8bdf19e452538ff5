import Foundation

/// e^x for every element, eight lanes at a time: Cephes' expf (range reduction by ln 2, a
/// degree-6 polynomial, then the exponent bits), within 2 ulp of `exp` on [-87, 88]; inputs
/// beyond that saturate to 0 / +inf as `exp` does.
func vectorExp(_ x: Tensor) -> Tensor {
    let out = Tensor(uninitialized: x.shape)
    let src = UnsafeRawPointer(x.storage.pointer), dst = UnsafeMutableRawPointer(out.storage.pointer)
    let n = x.count
    var i = 0
    while i + 8 <= n {
        let v = src.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
        dst.storeBytes(of: exp8(v), toByteOffset: i * 4, as: SIMD8<Float>.self)
        i += 8
    }
    let s = x.storage.pointer, d = out.storage.pointer
    while i < n {
        d[i] = exp8(SIMD8(repeating: s[i]))[0]
        i += 1
    }
    return out
}

@inline(__always)
func exp8(_ v: SIMD8<Float>) -> SIMD8<Float> {
    var x = v
    x.replace(with: -87.3, where: x .< -87.3)
    x.replace(with: 88.7, where: x .> 88.7)
    // k = round(x / ln 2) with the 1.5·2²³ trick: adding it leaves k in the low mantissa bits.
    let shifter = SIMD8<Float>(repeating: 12_582_912)
    let t = x * 1.442_695_04 + shifter
    let k = t - shifter
    let kBits = unsafeBitCast(t, to: SIMD8<Int32>.self) &- 0x4B40_0000
    let r = x - k * 0.693_359_375 + k * 2.121_944_4e-4
    var p = SIMD8<Float>(repeating: 1.987_569_15e-4)
    p = p * r + 1.398_199_950_7e-3
    p = p * r + 8.333_451_907_3e-3
    p = p * r + 4.166_579_589_4e-2
    p = p * r + 1.666_666_545_9e-1
    p = p * r + 5.000_000_120_1e-1
    p = p * r * r + r + 1
    // 2^k as two factors, so that k = 128 (x near 88.7) does not overflow the exponent field.
    let half = kBits &>> 1
    let a = unsafeBitCast((half &+ 127) &<< 23, to: SIMD8<Float>.self)
    let b = unsafeBitCast((kBits &- half &+ 127) &<< 23, to: SIMD8<Float>.self)
    var result = p * a * b
    // Saturate like exp beyond the clamped range, and keep NaN.
    result.replace(with: SIMD8(repeating: .infinity), where: v .> 88.7)
    result.replace(with: SIMD8(repeating: 0), where: v .< -87.3)
    result.replace(with: v, where: v .!= v)
    return result
}
