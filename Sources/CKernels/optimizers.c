#include "kernels.h"

// Several versions of each loop, picked at load time for the running CPU; with contraction off
// every version computes the same bits.
#define VERSIONS __attribute__((target_clones("avx512f", "avx2", "default")))

static inline float penalized(float g, float w, float clip, float l1, float l2) {
    float sign = (w > 0.0f) - (w < 0.0f);
    return clip * (g + l1 * sign + l2 * w);
}

VERSIONS void sweep_sgd_step(float *w, const float *g, long n, float lr, float clip, float l1, float l2) {
    for (long i = 0; i < n; i++) w[i] -= lr * penalized(g[i], w[i], clip, l1, l2);
}

VERSIONS void sweep_momentum_step(float *w, const float *g, float *m, long n, float lr, float mu, int nesterov,
                                  float clip, float l1, float l2) {
    if (nesterov) {
        for (long i = 0; i < n; i++) {
            float gi = penalized(g[i], w[i], clip, l1, l2);
            m[i] = mu * m[i] + gi;
            w[i] -= lr * (gi + mu * m[i]);
        }
    } else {
        for (long i = 0; i < n; i++) {
            float gi = penalized(g[i], w[i], clip, l1, l2);
            m[i] = mu * m[i] + gi;
            w[i] -= lr * m[i];
        }
    }
}

VERSIONS void sweep_adagrad_step(float *w, const float *g, float *m, long n, float lr, float eps, float clip, float l1, float l2) {
    for (long i = 0; i < n; i++) {
        float gi = penalized(g[i], w[i], clip, l1, l2);
        m[i] += gi * gi;
        w[i] -= lr * gi / (__builtin_sqrtf(m[i]) + eps);
    }
}

VERSIONS void sweep_adadelta_step(float *w, const float *g, float *m, float *v, long n, float lr, float rho, float eps,
                                  float clip, float l1, float l2) {
    for (long i = 0; i < n; i++) {
        float gi = penalized(g[i], w[i], clip, l1, l2);
        m[i] = rho * m[i] + (1 - rho) * gi * gi;
        float delta = (__builtin_sqrtf(v[i] + eps) / __builtin_sqrtf(m[i] + eps)) * gi;
        v[i] = rho * v[i] + (1 - rho) * delta * delta;
        w[i] -= lr * delta;
    }
}

VERSIONS void sweep_rmsprop_step(float *w, const float *g, float *m, long n, float lr, float rho, float eps,
                                 float clip, float l1, float l2) {
    for (long i = 0; i < n; i++) {
        float gi = penalized(g[i], w[i], clip, l1, l2);
        m[i] = rho * m[i] + (1 - rho) * gi * gi;
        w[i] -= lr * gi / (__builtin_sqrtf(m[i]) + eps);
    }
}

VERSIONS void sweep_adam_step(float *w, const float *g, float *m, float *v, long n, float b1, float b2, float eps,
                              float step_size, float inverse_root, float shrink, float clip, float l1, float l2) {
    for (long i = 0; i < n; i++) {
        float gi = penalized(g[i], w[i], clip, l1, l2);
        m[i] = b1 * m[i] + (1 - b1) * gi;
        v[i] = b2 * v[i] + (1 - b2) * gi * gi;
        w[i] = w[i] * shrink - step_size * m[i] / (__builtin_sqrtf(v[i]) * inverse_root + eps);
    }
}

VERSIONS void sweep_inverse_sqrt(const float *v, float *out, long n, float eps) {
    for (long i = 0; i < n; i++) out[i] = 1.0f / __builtin_sqrtf(v[i] + eps);
}
