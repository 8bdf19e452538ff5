import Search

extension SearchBench {
    /// Model-based samplers, benchmarked beside the model-free ones.
    static func extraSamplers(seed: UInt64) -> [(String, any Sampler)] { [("gp", GPSampler(seed: seed)), ("tpe", TPESampler(seed: seed))] }

    /// Run only when named in SWEEP_BENCH_SAMPLERS: the GP with the running trials believed at the
    /// model's mean and with the full q-batch EI, the two ends the GP's half spread lies between
    /// (the same sequential run: they differ only with trials in flight).
    static func namedSamplers(seed: UInt64) -> [(String, any Sampler)] {
        [("gp_believer", GPSampler(seed: seed, fantasy: .mean)), ("gp_draws", GPSampler(seed: seed, fantasy: .draws(64)))]
    }
}
