import Search

extension SearchBench {
    /// Model-based samplers, benchmarked beside the model-free ones.
    static func extraSamplers(seed: UInt64) -> [(String, any Sampler)] { [("gp", GPSampler(seed: seed)), ("tpe", TPESampler(seed: seed))] }
}
