import Config
import Search

/// Whether early stopping cut the right trials, and whether the study can tell its leaders apart.
extension Advisor {
    func pruning(_ advice: inout Advice) {
        let f = finished
        let k = max(2, f.count / 4)
        let leaders = Array(f.prefix(k))
        let pruned = trials.filter { $0.state == .pruned && ($0.reason.map { $0.rule != .divergence } ?? true) }
        // Too eager: a pruned trial was ahead, at the epoch it was stopped, of a trial that went
        // on to finish among the leaders.
        var eager: [(pruned: Observed, leader: Observed, rank: Int, epoch: Int, mine: Double, theirs: Double)] = []
        for p in pruned {
            guard let epoch = p.lastEpoch, let mine = p.at(epoch, spec.metric) else { continue }
            if let (rank, leader) = leaders.enumerated().first(where: { _, l in l.at(epoch, spec.metric).map { loss($0) > loss(mine) } ?? false }) {
                eager.append((p, leader, rank + 1, epoch, mine, leader.at(epoch, spec.metric)!))
            }
        }
        if let e = eager.first, pruned.count >= 2, eager.count * 10 >= pruned.count {
            var changes: [Change] = []
            switch spec.stopper {
            case let .asha(r, factor):
                changes.append(.set("stopper", .object(["name": .string("asha"), "min_resource": .number(Double(r * 2)), "reduction_factor": .number(Double(max(2, factor - 1)))]),
                                    why: "pruning stopped trials that would have finished among the best: judge later, keep more"))
            case let .hyperband(r, factor, brackets):
                changes.append(.set("stopper", .object(["name": .string("hyperband"), "min_resource": .number(Double(r * 2)), "reduction_factor": .number(Double(factor)),
                                                        "brackets": .number(Double(brackets))]), why: "pruning stopped trials that would have finished among the best: judge later"))
            case let .median(warmup, minimum):
                changes.append(.set("stopper", .object(["name": .string("median"), "warmup": .number(Double(warmup + 2)), "min_trials": .number(Double(minimum))]),
                                    why: "pruning stopped trials that would have finished among the best: warm up longer"))
            default: break
            }
            advice.add(.eagerPruning, "Pruning was too eager: trial \(e.pruned.number) was stopped at epoch \(e.epoch) with \(format(e.mine)), where trial \(e.leader.number), "
                       + "which finished \(ordinal(e.rank)), had \(format(e.theirs)); \(eager.count) of \(pruned.count) pruned trials were ahead of a leader when stopped.",
                       ["trial": Double(e.pruned.number), "epoch": Double(e.epoch), "eager": Double(eager.count)], changes: changes)
            return
        }
        // Too lax: the trials that finished in the bottom half were already behind early on.
        guard f.count >= 8 else { return }
        let bottom = f.suffix(f.count / 2)
        let early = max(1, (f.compactMap(\.lastEpoch).min() ?? 1) / 3)
        let atEarly = f.compactMap { $0.at(early, spec.metric) }.map(loss).sorted()
        guard atEarly.count == f.count else { return }
        let n = atEarly.count, median = n % 2 == 1 ? atEarly[n / 2] : (atEarly[n / 2 - 1] + atEarly[n / 2]) / 2
        let behind = bottom.filter { loss($0.at(early, spec.metric)!) > median }
        guard Double(behind.count) >= 0.8 * Double(bottom.count), !leaders.contains(where: { loss($0.at(early, spec.metric)!) > median }) else { return }
        let epochs = f.compactMap(\.lastEpoch).reduce(0, +)
        let saved = behind.compactMap(\.lastEpoch).map { $0 - early }.reduce(0, +)
        var changes: [Change] = []
        if case .none = spec.stopper {
            changes.append(.set("stopper", .object(["name": .string("asha"), "min_resource": .number(Double(early)), "reduction_factor": .number(3)]),
                                why: "trials behind at epoch \(early) finished behind: stop them there"))
        }
        advice.add(.laxPruning, "Pruning was too lax: of the \(bottom.count) trials that finished in the bottom half, \(behind.count) were already below the median at epoch \(early), "
                   + "and every leader was above it; stopping them there would have saved \(Int((100 * Double(saved) / Double(max(1, epochs))).rounded()))% of the epochs.",
                   ["epoch": Double(early), "behind": Double(behind.count)], changes: changes)
    }

    /// The same configuration (seeds aside) scored further apart than the two best configurations are.
    func noise(_ advice: inout Advice) {
        let f = finished
        var groups: [String: [Observed]] = [:]
        for t in f { groups[Config.object(t.values.filter { !$0.key.hasSuffix("seed") }).json, default: []].append(t) }
        let repeated = groups.values.filter { $0.count >= 2 }
        guard let widest = repeated.max(by: { spread($0) < spread($1) }) else { return }
        let distinct = groups.values.map { g in g.map { loss($0.value!) }.min()! }.sorted()
        guard distinct.count >= 2 else { return }
        let gap = distinct[1] - distinct[0], s = spread(widest)
        guard s > gap else { return }
        let values = widest.map { format($0.value!) }.joined(separator: ", ")
        advice.add(.noisy, "The study is noisy: one configuration scored \(values) over \(widest.count) runs (a spread of \(format(s))), more than the gap of \(format(gap)) "
                   + "between the two best configurations. Use more validation data or repeat seeds before trusting the ranking.",
                   ["spread": s, "gap": gap])
    }

    private func spread(_ group: [Observed]) -> Double {
        let v = group.map { loss($0.value!) }
        return v.max()! - v.min()!
    }

    private func ordinal(_ n: Int) -> String {
        switch n { case 1: "1st"; case 2: "2nd"; case 3: "3rd"; default: "\(n)th" }
    }
}
