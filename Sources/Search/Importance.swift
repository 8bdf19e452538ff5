import Foundation
import Config

/// Which parameters matter: PED-ANOVA (Watanabe et al., IJCAI 2023, as optuna-dashboard uses).
/// For each parameter, the density of its values among the best `quantile` of trials is compared
/// with their density among all trials; the Pearson divergence between the two says how much
/// being good depends on that parameter. A parameter with no effect has the same density in both
/// (importance near 0). Densities are kernel estimates on the unit interval (numeric) or
/// frequencies (choices), so it costs O(trials × grid) per parameter: well under a second for
/// 10,000 trials.
public enum Importance {
    public struct Entry: Equatable, Sendable {
        public let parameter: String
        /// Share of the total, in [0, 1]; the entries sum to 1 (when any is above 0).
        public let importance: Double
    }

    /// Importances of `space`'s searched parameters from trials with a finite objective, most
    /// important first. Nil with fewer than 10 such trials.
    public static func of(_ space: SearchSpace, trials: [Trial], direction: Direction, quantile: Double = 0.1) -> [Entry]? {
        let scored = trials.filter { ($0.value?.isFinite ?? false) && $0.state != .cancelled }.sorted { direction.loss($0.value!) < direction.loss($1.value!) }
        guard scored.count >= 10 else { return nil }
        let top = Array(scored.prefix(max(2, Int((Double(scored.count) * quantile).rounded(.up)))))
        var raw: [(String, Double)] = []
        for p in space.searched {
            let all = scored.compactMap { $0.configuration[p.name] }, best = top.compactMap { $0.configuration[p.name] }
            guard best.count >= 2, all.count >= 2 else { raw.append((p.name, 0)); continue }
            raw.append((p.name, p.domain.isNumeric ? numeric(p.domain, best, all) : categorical(best, all)))
        }
        let total = raw.map(\.1).reduce(0, +)
        return raw.map { Entry(parameter: $0.0, importance: total > 0 ? $0.1 / total : 0) }
            .sorted { $0.importance != $1.importance ? $0.importance > $1.importance : $0.parameter < $1.parameter }
    }

    /// ∫ (p_top / p_all − 1)² p_all over [0, 1], with Gaussian kernels (Scott's bandwidth).
    static func numeric(_ domain: Domain, _ best: [Config], _ all: [Config]) -> Double {
        let b = best.compactMap(domain.position(of:)).filter(\.isFinite), a = all.compactMap(domain.position(of:)).filter(\.isFinite)
        guard b.count >= 2, a.count >= 2 else { return 0 }
        let grid = 200
        func density(_ xs: [Double]) -> [Double] {
            let mean = xs.reduce(0, +) / Double(xs.count)
            let sd = Foundation.sqrt(xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(xs.count))
            let h = max(1.06 * max(sd, 1e-3) * Foundation.pow(Double(xs.count), -0.2), 0.02)
            var d = [Double](repeating: 0, count: grid)
            for x in xs {
                // Kernels beyond ±4h add nothing measurable.
                let lo = max(0, Int(((x - 4 * h) * Double(grid)).rounded(.down))), hi = min(grid - 1, Int(((x + 4 * h) * Double(grid)).rounded(.up)))
                guard lo <= hi else { continue }
                for i in lo...hi {
                    let u = (Double(i) + 0.5) / Double(grid), z = (u - x) / h
                    d[i] += Foundation.exp(-0.5 * z * z)
                }
            }
            let mass = d.reduce(0, +) / Double(grid)
            return mass > 0 ? d.map { $0 / mass } : d
        }
        let top = density(b), base = density(a)
        var sum = 0.0
        for i in 0..<grid where base[i] > 1e-12 {
            let r = top[i] / base[i] - 1
            sum += r * r * base[i]
        }
        return sum / Double(grid)
    }

    /// Σ (q_top / q_all − 1)² q_all over the values seen.
    static func categorical(_ best: [Config], _ all: [Config]) -> Double {
        var top: [String: Double] = [:], base: [String: Double] = [:]
        for v in best { top[v.json, default: 0] += 1 / Double(best.count) }
        for v in all { base[v.json, default: 0] += 1 / Double(all.count) }
        return base.reduce(0) { sum, entry in
            let r = (top[entry.key] ?? 0) / entry.value - 1
            return sum + r * r * entry.value
        }
    }
}
