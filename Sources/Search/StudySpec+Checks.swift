import Config

/// What is checked at submit beyond the spec's own fields: that the trials it will run can run.
extension StudySpec {
    /// The base trial with every searched parameter at its first value (a numeric domain's low
    /// end, a choice's first value) must be a valid trial spec; then each other value of each
    /// parameter (the high end, every other choice) laid over that one must be too. A problem
    /// under a searched key is the space's (`space.model.kind.values[1]`), any other the base
    /// trial's (`trial.model.hiden`).
    static func checkTrial(_ trial: Config, _ space: SearchSpace, _ rules: TrialRules, _ f: Fields) {
        let searched = space.parameters
        func samples(_ domain: Domain) -> [(label: String, value: Config)] {
            switch domain {
            case let .float(low, high, _, _): [("low", .number(low)), ("high", .number(high))]
            case let .int(low, high, _, _): [("low", .number(Double(low))), ("high", .number(Double(high)))]
            case let .choice(values): values.enumerated().map { ("values[\($0.offset)]", $0.element) }
            case let .fixed(value): [("value", value)]
            }
        }
        func owner(_ path: String) -> Parameter? {
            searched.first { path == $0.name || path.hasPrefix($0.name + ".") }
        }
        func laid(_ values: [String: Config]) -> Config {
            values.keys.sorted().reduce(trial) { $0.setting($1, to: values[$1]!) }
        }
        let first = Dictionary(uniqueKeysWithValues: searched.compactMap { p in samples(p.domain).first.map { (p.name, $0.value) } })
        var seen = Set<String>()
        func report(_ path: String, _ message: String) {
            guard seen.insert(path + "\u{0}" + message).inserted else { return }
            f.fail(path, message)
        }
        for problem in rules.check(laid(first)) {
            if let parameter = owner(problem.path), let label = samples(parameter.domain).first?.label {
                report("space.\(parameter.name).\(label)", "gives a trial spec that does not train: \(problem)")
            } else {
                report(problem.path.isEmpty ? "trial" : "trial.\(problem.path)", problem.message)
            }
        }
        for parameter in searched {
            for (label, value) in samples(parameter.domain).dropFirst() {
                var values = first
                values[parameter.name] = value
                for problem in rules.check(laid(values)) where owner(problem.path)?.name == parameter.name {
                    report("space.\(parameter.name).\(label)", "gives a trial spec that does not train: \(problem)")
                }
            }
        }
    }

    /// `enqueue`: a list of configurations, each inside the space (every parameter given, none
    /// it lacks), no more than the trial budget.
    static func enqueued(_ value: Config?, _ space: SearchSpace, _ budget: Budget, _ f: Fields) -> [Configuration] {
        guard let value else { return [] }
        guard case let .array(items) = value else {
            f.fail("enqueue", "must be a list of configurations to try first, [{param: value, …}, …] (got \(value.json))")
            return []
        }
        if items.count > budget.maxTrials {
            f.fail("enqueue", "lists \(items.count) configurations, more than budget.max_trials (\(budget.maxTrials)): raise the budget or enqueue fewer")
        }
        return items.enumerated().compactMap { i, item in
            guard case let .object(values) = item else {
                f.fail("enqueue[\(i)]", "must be a configuration {param: value, …} (got \(item.json))")
                return nil
            }
            do { return try space.configuration(given: values, allowOutside: false, path: "enqueue[\(i)]").0 } catch let error as SpecError {
                for problem in error.problems { f.fail(problem.path, problem.message) }
            } catch {
                f.fail("enqueue[\(i)]", "\(error)")
            }
            return nil
        }
    }

    /// Each enqueued configuration laid over the base trial must be a valid trial spec.
    static func checkEnqueued(_ trial: Config, _ enqueue: [Configuration], _ rules: TrialRules, _ f: Fields) {
        for (i, configuration) in enqueue.enumerated() {
            let laid = configuration.values.keys.sorted().reduce(trial) { $0.setting($1, to: configuration.values[$1]!) }
            for problem in rules.check(laid) { f.fail("enqueue[\(i)]", "gives a trial spec that does not train: \(problem)") }
        }
    }

    /// Every `{name}` in a command template must be a parameter of the space or a built-in.
    static func checkTemplate(_ command: [String], _ space: SearchSpace, _ f: Fields) {
        let names = space.parameters.map(\.name)
        for (i, argument) in command.enumerated() {
            for name in Template.placeholders(argument) where !names.contains(name) && !Template.builtins.contains(name) {
                f.fail("command[\(i)]", "has the placeholder {\(name)}, which names no parameter of the space\(suggestion(name, names + Template.builtins)); "
                    + "a placeholder is a parameter or one of {\(Template.builtins.joined(separator: "}, {"))}")
            }
        }
    }
}
