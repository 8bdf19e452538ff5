#include <stdint.h>
#include <string.h>
#include "kernels.h"

#define VERSIONS __attribute__((target_clones("avx512f", "avx2", "default")))

static inline float from_bits(int32_t b) { float f; memcpy(&f, &b, 4); return f; }
static inline int32_t to_bits(float f) { int32_t b; memcpy(&b, &f, 4); return b; }

static inline float cephes_exp(float v) {
    float x = v < -87.3f ? -87.3f : (v > 88.7f ? 88.7f : v);
    // k = round(x / ln 2) with the 1.5·2²³ trick: adding it leaves k in the low mantissa bits.
    float t = x * 1.44269504f + 12582912.0f;
    float k = t - 12582912.0f;
    int32_t kb = to_bits(t) - 0x4B400000;
    float r = x - k * 0.693359375f + k * 2.12194440e-4f;
    float p = 1.98756915e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    // 2^k as two factors, so that k = 128 does not overflow the exponent field.
    int32_t half = kb >> 1;
    float y = p * from_bits((half + 127) << 23) * from_bits((kb - half + 127) << 23);
    y = v > 88.7f ? __builtin_inff() : y;
    y = v < -87.3f ? 0.0f : y;
    return v != v ? v : y;
}

VERSIONS void sweep_exp(const float *x, float *y, long n) {
    for (long i = 0; i < n; i++) y[i] = cephes_exp(x[i]);
}

VERSIONS void sweep_sigmoid(const float *x, float *y, long n) {
    for (long i = 0; i < n; i++) y[i] = 1.0f / (1.0f + cephes_exp(-x[i]));
}

VERSIONS void sweep_tanh(const float *x, float *y, long n) {
    for (long i = 0; i < n; i++) {
        float v = x[i], a = __builtin_fabsf(v), z = v * v;
        float p = -5.70498872745e-3f;
        p = p * z + 2.06390887954e-2f;
        p = p * z - 5.37397155531e-2f;
        p = p * z + 1.33314422036e-1f;
        p = p * z - 3.33332819422e-1f;
        float small = p * z * v + v;
        float large = 1.0f - 2.0f / (cephes_exp(a + a) + 1.0f);
        large = v < 0 ? -large : large;
        float r = a < 0.625f ? small : large;
        y[i] = v != v ? v : r;
    }
}

VERSIONS void sweep_rectify(const float *restrict v, const float *restrict x, float *restrict out, long n, float slope) {
    if (slope == 0) {
        for (long i = 0; i < n; i++) out[i] = x[i] > 0 ? v[i] : 0.0f;
    } else {
        for (long i = 0; i < n; i++) out[i] = x[i] > 0 ? v[i] : slope * v[i];
    }
}
