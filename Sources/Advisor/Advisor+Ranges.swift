import Foundation
import Config
import Search

/// Where the good values lie in each searched range and which learning rates diverge (the
/// choices: `Advisor+Choices`).
extension Advisor {
    func ranges(_ advice: inout Advice) {
        let f = ranked
        guard f.count >= 6, !finished.isEmpty else { return }
        let best = Array(f.prefix(max(3, f.count / 4)))
        var capped: [String: Double] = [:]
        for p in spec.space.searched {
            if let cap = diverging(p, &advice) { capped[p.name] = cap }
        }
        let narrowed = packed(finished: f), losing = losingValues()
        for p in spec.space.searched {
            switch p.domain {
            case .float, .int: numeric(p, best: best, cap: capped[p.name], packed: narrowed[p.name], &advice)
            case let .choice(values): choice(p, values, losing: losing[p.name] ?? [:], &advice)
            case .fixed: continue
            }
        }
    }

    /// Unit-cube positions of a parameter's values in these trials.
    private func positions(_ p: Parameter, _ trials: [Observed]) -> [Double] {
        trials.compactMap { $0.values[p.name].flatMap(p.domain.position(of:)) }.filter(\.isFinite)
    }

    /// The top quarter of a range, where it lies and how often chance packs trials that tightly.
    struct Packing {
        let low: Double, high: Double, count: Int, chance: Double
        /// The ranges tested beside it.
        var tested = 1
    }

    /// The numeric ranges whose top quarter is packed too tightly for chance, once there are
    /// enough trials to say so. Every searched range is tested, so with Holm's step-down the
    /// chance that any of them is narrowed by luck stays 5%: ten ranges at 5% each would narrow
    /// one by luck in 40% of studies (a synthetic study's least important coordinate, packed by
    /// chance 2% of the time among four, was cut away from its optimum).
    private func packed(finished: [Observed]) -> [String: Packing] {
        guard finished.count >= 8 else { return [:] }
        let quarter = Array(finished.prefix(max(2, finished.count / 4)))
        var tests: [(String, Packing)] = []
        for p in spec.space.searched where p.domain.isNumeric {
            let (low, high, _) = bounds(p.domain)
            let top = positions(p, quarter)
            guard high > low, top.count >= 2 else { continue }
            let span = top.max()! - top.min()!
            tests.append((p.name, Packing(low: top.min()!, high: top.max()!, count: top.count, chance: Self.chance(span: span, of: top.count, among: positions(p, finished)))))
        }
        var passed: [String: Packing] = [:]
        for k in Self.holm(tests.map(\.1.chance)) {
            var p = tests[k].1
            p.tested = tests.count
            passed[tests[k].0] = p
        }
        return passed
    }

    private func numeric(_ p: Parameter, best: [Observed], cap: Double?, packed: Packing?, _ advice: inout Advice) {
        let (low, high, log) = bounds(p.domain)
        guard high > low else { return }
        let u = positions(p, best)
        guard u.count >= 3, let first = u.first else { return }
        let sorted = u.sorted(), median = sorted[sorted.count / 2]
        // Back from the unit interval to the parameter's scale.
        func value(_ x: Double) -> Double { log ? Foundation.exp(Foundation.log(low) + x * (Foundation.log(high) - Foundation.log(low))) : low + x * (high - low) }
        func shown(_ t: Observed) -> String { t.values[p.name].map(format) ?? "-" }
        var newLow = low, newHigh = high, whys: [String] = []
        var rule: Rule?
        let side: Double? = first > 0.9 && median > 0.75 ? 1 : first < 0.1 && median < 0.25 ? 0 : nil
        if let side, cap == nil || side == 0 {
            // Widen past the bound the best values press against, as far again as the range (×10 on a log scale).
            let natural = naturalLimits(p.name, low: low)
            if side == 1 {
                newHigh = min(log ? high * 10 : high + (high - low), natural.high)
            } else {
                newLow = max(log ? low / 10 : low - (high - low), natural.low)
            }
            if newLow != low || newHigh != high {
                rule = .atBound
                let bound = side == 1 ? "upper" : "lower"
                let which = best.prefix(3).map(shown).joined(separator: ", ")
                advice.add(.atBound, "\(p.name)'s best values sit at the \(bound) bound of its range \(p.domain.summary): the best \(min(3, best.count)) trials had \(which). "
                           + "Widen it past that bound.", ["position": first])
                whys.append("the best values sat at the \(bound) bound")
            }
        }
        // The part of the range the top quarter never used, where chance alone would rarely pack
        // a quarter of the trials so tightly: with 20 trials, an unimportant parameter's best five
        // often span little of its range.
        if let top = packed {
            let a = max(0, top.low - 0.1), b = min(1, top.high + 0.1)
            if b - a < 0.6 {
                if rule != .atBound || side == 1 { newLow = max(newLow, value(a)) }
                if rule != .atBound || side == 0 { newHigh = min(newHigh, value(b)) }
                let among = top.tested > 1 ? ", rarely enough with \(top.tested) ranges tested" : ""
                advice.add(.tooWide, "\(p.name)'s top quarter (\(top.count) trials) all lay in [\(format(value(top.low))), \(format(value(top.high)))] of \(p.domain.summary): "
                           + "the rest of the range never produced a trial in the top quarter (a random \(top.count) of these trials span that little \(percent(top.chance)) of the time\(among)). "
                           + "Search around them.", ["span": b - a, "chance": top.chance])
                whys.append("the top quarter used only [\(format(value(top.low))), \(format(value(top.high)))]")
            }
        }
        if let cap, cap < newHigh {
            newHigh = cap
            whys.append("values above \(format(cap)) diverged")
        }
        guard !whys.isEmpty else { return }
        if case .int = p.domain { (newLow, newHigh) = (max(newLow.rounded(.down), low >= 1 ? 1 : newLow.rounded(.down)), newHigh.rounded(.up)) }
        guard newHigh > newLow else { return }
        advice.changes.append(.range(p.name, low: newLow, high: newHigh, why: whys.joined(separator: "; ")))
    }

    /// The probability that `k` of these positions, drawn at random, span at most `span`: how
    /// often chance alone packs trials as tightly as the top quarter. Exact: with the positions
    /// sorted, the subsets whose lowest is the i-th and whose highest lies within `span` of it
    /// number C(J − i, k − 1), J the last position within `span` (the hockey-stick identity).
    static func chance(span: Double, of k: Int, among positions: [Double]) -> Double {
        let a = positions.sorted(), n = a.count
        guard k >= 2, n > k else { return 1 }
        var logFactorial = [0.0]
        for m in 1...n { logFactorial.append(logFactorial[m - 1] + Foundation.log(Double(m))) }
        func logChoose(_ m: Int, _ r: Int) -> Double { logFactorial[m] - logFactorial[r] - logFactorial[m - r] }
        var total = 0.0, last = 0
        for i in 0..<n {
            last = Swift.max(last, i)
            while last + 1 < n, a[last + 1] - a[i] <= span + 1e-12 { last += 1 }
            if last - i >= k - 1 { total += Foundation.exp(logChoose(last - i, k - 1) - logChoose(n, k)) }
        }
        return Swift.min(1, total)
    }

    /// A learning rate above which every trial diverged or was stopped, while trials below it
    /// finished: that value (the next range ends there).
    private func diverging(_ p: Parameter, _ advice: inout Advice) -> Double? {
        guard p.name.hasSuffix("lr") || p.name.contains("learning_rate"), p.domain.isNumeric else { return nil }
        func rate(_ t: Observed) -> Double? { if case let .number(x)? = t.values[p.name] { x } else { nil } }
        let bad = trials.filter { $0.state == .diverged || $0.reason?.rule == .divergence }.compactMap(rate)
        let good = trials.filter { $0.state == .completed }.compactMap(rate)
        guard bad.count >= 2, let threshold = bad.min(), let below = good.filter({ $0 < threshold }).max() else { return nil }
        let above = trials.filter { (rate($0) ?? -.infinity) >= threshold }
        let stopped = above.filter { $0.state == .diverged || $0.state == .pruned || $0.reason?.rule == .divergence }
        guard above.count >= 2, stopped.count == above.count else { return nil }
        let completedBelow = good.filter { $0 < threshold }.count
        let cap = Foundation.sqrt(threshold * below)
        advice.add(.diverging, "Learning rates \(p.name) ≥ \(format(threshold)) diverged or were stopped every time (\(stopped.count) of \(above.count) trials); "
                   + "below it \(completedBelow) trials completed. Lower the range's top to \(format(cap)).",
                   ["threshold": threshold, "trials": Double(above.count)])
        return cap
    }

    func bounds(_ domain: Domain) -> (low: Double, high: Double, log: Bool) {
        switch domain {
        case let .float(low, high, log, _): (low, high, log)
        case let .int(low, high, log, _): (Double(low), Double(high), log)
        default: (0, 0, false)
        }
    }

    /// How far a range may be widened: dropout stays below 1, rates and counts above 0.
    func naturalLimits(_ name: String, low: Double) -> (low: Double, high: Double) {
        if name.hasSuffix("dropout") { return (0, 0.9) }
        if name.hasSuffix("momentum") || name.hasSuffix("beta1") || name.hasSuffix("beta2") { return (0, 0.999) }
        return (low > 0 ? Double.leastNormalMagnitude : (low >= 0 ? 0 : -.infinity), .infinity)
    }
}
