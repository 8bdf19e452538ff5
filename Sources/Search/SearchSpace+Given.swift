import Config

/// Configurations a person gives (`sweep enqueue`) or an older study left (a warm start),
/// checked against the space before any sampler sees them.
extension SearchSpace {
    /// `values` as a configuration of this space: fixed parameters filled in, every active
    /// searched parameter present, no key the space does not have or that its condition leaves
    /// out. A value outside its domain is a problem unless `allowOutside` (the origin then says
    /// `outside`). Problems name `path.key`; a value outside its domain says `remedy`.
    public func configuration(given values: [String: Config], allowOutside: Bool, path: String,
                              remedy: String = "widen the range or change the value") throws -> (Configuration, Origin) {
        var problems: [SpecError.Problem] = []
        var filled: [String: Config] = [:]
        var outside = false
        let names = parameters.map(\.name)
        for key in values.keys.sorted() where !names.contains(key) {
            problems.append(.init(path: "\(path).\(key)", message: "is not a parameter of the study's space\(suggestion(key, names)); its parameters are \(names.joined(separator: ", "))"))
        }
        for p in parameters {
            let value = values[p.name]
            guard isActive(p, in: filled) else {
                if value != nil, let c = p.condition {
                    problems.append(.init(path: "\(path).\(p.name)", message: "exists only when \(c.parameter) is one of \(Config.array(c.values).json); leave it out"))
                }
                continue
            }
            if case let .fixed(fixed) = p.domain {
                if let value, value != fixed { problems.append(.init(path: "\(path).\(p.name)", message: "is fixed at \(fixed.json) by the space (got \(value.json))")) }
                filled[p.name] = fixed
                continue
            }
            guard let value else {
                problems.append(.init(path: "\(path).\(p.name)", message: "is missing: give a value in \(p.domain.summary)"))
                continue
            }
            if !p.domain.contains(value) {
                let numeric = p.domain.isNumeric
                if allowOutside, !numeric || value.isNumber {
                    outside = true
                } else if allowOutside {
                    problems.append(.init(path: "\(path).\(p.name)", message: "must be a number, even outside the space (got \(value.json))"))
                } else {
                    problems.append(.init(path: "\(path).\(p.name)", message: "is outside the space: \(value.json) is not in \(p.domain.summary) (\(remedy))"))
                }
            }
            filled[p.name] = value
        }
        guard problems.isEmpty else { throw SpecError(problems) }
        return (Configuration(filled), outside ? .outside : .enqueued)
    }
}

extension Domain {
    /// The domain as a person reads it: `[0.0001, 0.1] (log)`, `{relu, gelu}`.
    public var summary: String {
        switch self {
        case let .float(low, high, log, step):
            "[\(Config.number(low)), \(Config.number(high))]" + (log ? " (log)" : "") + (step.map { " in steps of \(Config.number($0))" } ?? "")
        case let .int(low, high, log, step):
            "the integers \(low)…\(high)" + (log ? " (log)" : "") + (step > 1 ? " in steps of \(step)" : "")
        case let .choice(values): "{\(values.map(\.description).joined(separator: ", "))}"
        case let .fixed(value): value.json
        }
    }
}

extension Config {
    var isNumber: Bool { if case .number = self { true } else { false } }
}
