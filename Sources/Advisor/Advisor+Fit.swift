import Config
import Search

/// Under- and overfitting, from the best trials' training and validation curves.
extension Advisor {
    func fit(_ advice: inout Advice) {
        guard let train = trainMetric, spec.runner == .builtin, finished.count >= 3 else { return }
        let best = Array(finished.prefix(3))
        struct Reading { let trial: Observed; let last: Int; let train: Double; let valid: Double; let gain: Double; let peak: (epoch: Int, value: Double) }
        let readings: [Reading] = best.compactMap { t in
            guard let last = t.lastEpoch, last >= 3, let tr = t.at(last, train), let va = t.at(last, spec.metric), let before = t.at(last - 2, spec.metric)
            else { return nil }
            let peak = t.curve.compactMap { e, m in m[spec.metric].map { (epoch: e, value: $0) } }.min { loss($0.value) < loss($1.value) }!
            return Reading(trial: t, last: last, train: tr, valid: va, gain: loss(before) - loss(va), peak: peak)
        }
        guard readings.count == best.count else { return }
        // The gap between training and validation, in the objective's own terms.
        func gap(_ r: Reading) -> Double { isAccuracy ? r.train - r.valid : (r.valid - r.train) / max(abs(r.valid), 1e-12) }
        let scale = isAccuracy ? 1.0 : max(abs(readings[0].valid), 1e-12)
        // Still improving with training and validation close, in most of the best trials (as for
        // overfitting below): one trial's last two epochs can dip by a validation split's noise
        // (±0.003 on 6,000 examples) while the others still climb.
        let climbing = readings.filter { $0.gain > (isAccuracy ? 0.002 : 0.02 * scale) && gap($0) < (isAccuracy ? 0.02 : 0.1) }
        if climbing.count * 2 > readings.count {
            let r = climbing[0]
            var changes: [Change] = []
            if case let .number(epochs)? = spec.trial[path: "epochs"], spec.space.parameters.allSatisfy({ $0.name != "epochs" }) {
                changes.append(.set("trial.epochs", .number((epochs * 1.5).rounded(.up)),
                                    why: "the best trials still improved at their last epoch (\(Int(epochs))): train longer"))
            }
            if case let .array(hidden)? = spec.trial[path: "model.hidden"], spec.space.parameters.allSatisfy({ $0.name != "model.hidden" }) {
                changes.append(.set("trial.model.hidden", .array(hidden.map { .number(($0.metric * 2).rounded()) }),
                                    why: "training and validation agree: the model has room to grow"))
            }
            // The configurations still climbing are the best evidence the next study has: they
            // run again first, trained longer (`retrained` keeps those inside the next space).
            changes.append(.set("enqueue", .array(climbing.map { .object($0.trial.values) }),
                                why: "trials \(climbing.map { String($0.trial.number) }.joined(separator: ", ")) were still improving: they run again first, trained longer"))
            advice.add(.underfit, "The best trials underfit: trial \(r.trial.number) ends at \(train) \(format(r.train)) and \(spec.metric) \(format(r.valid)) "
                       + "(they agree), and its \(spec.metric) still gained \(format(abs(r.gain))) over its last 2 epochs; the same holds for \(climbing.count == readings.count ? "all" : "\(climbing.count) of") the best \(readings.count). "
                       + "Train longer, make the model bigger, or raise the learning rate.",
                       ["trial": Double(r.trial.number), "train": r.train, "validation": r.valid, "gain": r.gain], changes: changes)
            return
        }
        let r = readings[0]
        let wide = readings.filter { gap($0) > (isAccuracy ? 0.05 : 0.3) }
        // Validation falling is overfitting only while the model fits its training data better than
        // it validates and kept gaining on it since the peak: a dip with training below validation
        // (a model that underfits, scored on a small validation split) is noise, and regularizing
        // it would be the wrong advice.
        let falling = readings.filter { r in
            guard r.last - r.peak.epoch >= 2, loss(r.valid) - loss(r.peak.value) > (isAccuracy ? 0.005 : 0.02 * scale),
                  let atPeak = r.trial.at(r.peak.epoch, train) else { return false }
            return loss(r.train) < loss(r.valid) && loss(r.train) < loss(atPeak)
        }
        guard wide.count * 2 > readings.count || falling.count * 2 > readings.count else { return }
        var changes: [Change] = []
        var sentence = "The best trials overfit: trial \(r.trial.number) ends at \(train) \(format(r.train)) but \(spec.metric) \(format(r.valid))"
        if let f = falling.first {
            sentence += "; trial \(f.trial.number)'s \(spec.metric) was best at epoch \(f.peak.epoch) (\(format(f.peak.value))) and \(format(f.valid)) at epoch \(f.last)"
            let stop = falling.map(\.peak.epoch).max()! + 1
            if spec.space.parameters.allSatisfy({ $0.name != "epochs" }), stop < f.last {
                changes.append(.set("trial.epochs", .number(Double(stop)), why: "validation got worse after epoch \(stop - 1) in the best trials: stop there"))
            }
        }
        let searched = Set(spec.space.searched.map(\.name))
        if !searched.contains("model.dropout") {
            changes.append(.search("model.dropout", .object(["type": .string("float"), "low": .number(0), "high": .number(0.5)]),
                                   why: "overfitting: search dropout"))
        }
        if !searched.contains("l2") {
            changes.append(.search("l2", .object(["type": .string("float"), "low": .number(1e-6), "high": .number(1e-2), "log": .bool(true)]),
                                   why: "overfitting: search L2 regularization"))
        }
        advice.add(.overfit, sentence + ". Regularize (L2, dropout, augmentation), stop earlier, or get more data.",
                   ["trial": Double(r.trial.number), "train": r.train, "validation": r.valid], changes: changes)
    }
}
