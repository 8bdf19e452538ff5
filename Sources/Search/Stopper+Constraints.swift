/// Constraints at a rung: a trial that breaks one there ranks behind every trial that keeps
/// them, the least violated first, as the samplers rank finished trials — so a model past a size
/// or time budget is cut at its first rung instead of training on for its accuracy. Without
/// constraints (or with every trial within them) the ranking is the objective's alone.
extension Trial {
    /// How far past its bounds the trial stood at its last report by `step`: the sum of the
    /// positive violations; 0 within every bound, or when nothing was reported by then.
    func excess(by step: Int) -> Double {
        guard let last = stepViolations.keys.filter({ $0 <= step }).max() else { return 0 }
        return Feasibility.total(stepViolations[last]!.filter(\.isFinite))
    }
}

extension Pareto {
    /// The rank of `own` among `others` (how many lie ahead of it) when a smaller `excess` comes
    /// first and, at the same excess, a better Pareto front.
    static func better(than own: (excess: Double, losses: [Double]), among others: [(excess: Double, losses: [Double])]) -> Int {
        let same = others.filter { $0.excess == own.excess }.map(\.losses)
        return others.count(where: { $0.excess < own.excess }) + better(than: same.count, among: same + [own.losses])
    }
}
