#ifndef SWEEP_KERNELS_H
#define SWEEP_KERNELS_H
// Loops Swift does not vectorize: its square root and division lower to scalar libm calls with
// errno checks. Built with -fno-math-errno (so sqrtf is one instruction) and -ffp-contract=off
// (no fused multiply-adds: results do not depend on the CPU the build runs on).
//
// Optimizer steps. Every step first forms the gradient of the loss plus the penalty,
// clip·(g + l1·sign(w) + l2·w), where l2 is already 2λ₂ (the derivative of λ₂·w²).

/// w ← w − lr·ĝ
void sweep_sgd_step(float *w, const float *g, long n, float lr, float clip, float l1, float l2);
/// m ← μ·m + ĝ; w ← w − lr·(nesterov ? ĝ + μ·m : m)
void sweep_momentum_step(float *w, const float *g, float *m, long n, float lr, float mu, int nesterov,
                         float clip, float l1, float l2);
/// m ← m + ĝ²; w ← w − lr·ĝ/(√m + ε)
void sweep_adagrad_step(float *w, const float *g, float *m, long n, float lr, float eps, float clip, float l1, float l2);
/// m ← ρm + (1−ρ)ĝ²; Δ = √(v+ε)/√(m+ε)·ĝ; v ← ρv + (1−ρ)Δ²; w ← w − lr·Δ
void sweep_adadelta_step(float *w, const float *g, float *m, float *v, long n, float lr, float rho, float eps,
                         float clip, float l1, float l2);
/// m ← ρm + (1−ρ)ĝ²; w ← w − lr·ĝ/(√m + ε)
void sweep_rmsprop_step(float *w, const float *g, float *m, long n, float lr, float rho, float eps,
                        float clip, float l1, float l2);
/// m ← β₁m + (1−β₁)ĝ; v ← β₂v + (1−β₂)ĝ²; w ← w·shrink − stepSize·m/(√v·inverseRoot + ε)
void sweep_adam_step(float *w, const float *g, float *m, float *v, long n, float b1, float b2, float eps,
                     float step_size, float inverse_root, float shrink, float clip, float l1, float l2);

/// out[i] = 1/√(v[i] + ε), for batch norm's per-channel scales.
void sweep_inverse_sqrt(const float *v, float *out, long n, float eps);


// Transcendental activations, vectorized by the compiler (libm's are scalar calls).
/// e^x: Cephes' expf (ln 2 range reduction, degree-6 polynomial), within 2 ulp on [-87, 88];
/// saturates to 0 / +inf beyond, keeps NaN.
void sweep_exp(const float *x, float *y, long n);
/// 1 / (1 + e^-x).
void sweep_sigmoid(const float *x, float *y, long n);
/// Cephes' tanhf: x + x³·P(x²) for |x| < 0.625, else ±(1 − 2/(e^{2|x|} + 1)).
void sweep_tanh(const float *x, float *y, long n);
/// out[i] = x[i] > 0 ? v[i] : slope·v[i] (0 when slope is 0): the rectifiers and their gradients,
/// as selects (Swift compiled them to a branch per element, mispredicted on half of them).
void sweep_rectify(const float *v, const float *x, float *out, long n, float slope);
#endif
