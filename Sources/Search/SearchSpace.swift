import Config

/// One searched (or fixed) parameter: the config key it sets, its domain, and the condition
/// under which it exists.
public struct Parameter: Equatable, Sendable {
    /// The dotted config key, e.g. `optimizer.lr`.
    public let name: String
    public let domain: Domain
    /// Present only when another parameter takes one of these values (`momentum` only when
    /// `optimizer.name` is `sgd`).
    public let condition: Condition?

    public init(_ name: String, _ domain: Domain, when condition: Condition? = nil) {
        self.name = name
        self.domain = domain
        self.condition = condition
    }
}

public struct Condition: Equatable, Sendable {
    public let parameter: String
    public let values: [Config]

    public init(_ parameter: String, in values: [Config]) {
        self.parameter = parameter
        self.values = values
    }
}

/// The parameters of a study, parents before the parameters that depend on them.
public struct SearchSpace: Equatable, Sendable {
    public let parameters: [Parameter]

    public init(_ parameters: [Parameter]) {
        // Order so that a condition's parent comes first (the spec checks there is no cycle).
        var ordered: [Parameter] = [], placed = Set<String>()
        var rest = parameters
        while !rest.isEmpty {
            let ready = rest.filter { $0.condition.map { placed.contains($0.parameter) } ?? true }
            guard !ready.isEmpty else { ordered += rest; break }
            for p in ready { ordered.append(p); placed.insert(p.name) }
            rest.removeAll { placed.contains($0.name) }
        }
        self.parameters = ordered
    }

    /// The parameters that are searched (not fixed).
    public var searched: [Parameter] { parameters.filter { if case .fixed = $0.domain { false } else { true } } }

    /// Whether TPE suits this space better than the GP: it is conditional (the GP has no notion of
    /// an inactive parameter) or mostly choices. `strategy: auto` and the advisor's next study read it.
    public var favoursTPE: Bool {
        let searched = searched
        return parameters.contains { $0.condition != nil } || 2 * searched.count { !$0.domain.isNumeric } > searched.count
    }

    /// Whether `parameter` exists in a configuration with these values so far.
    public func isActive(_ parameter: Parameter, in values: [String: Config]) -> Bool {
        guard let condition = parameter.condition else { return true }
        guard let parent = values[condition.parameter] else { return false }
        return condition.values.contains(parent)
    }

    /// A configuration from a point in the unit cube (one coordinate per parameter, in order);
    /// inactive conditional parameters are left out.
    public func configuration(at point: [Double]) -> Configuration {
        var values: [String: Config] = [:]
        for (i, p) in parameters.enumerated() where isActive(p, in: values) {
            values[p.name] = p.domain.value(at: point[i])
        }
        return Configuration(values)
    }

    /// The unit-cube point of a configuration; inactive parameters sit at 0.5. A value enqueued
    /// outside its domain sits on the nearest face (an unknown choice or a number a log scale
    /// cannot place, at 0.5), so samplers always see a point of the cube.
    public func point(of configuration: Configuration) -> [Double] {
        parameters.map { p in
            guard let u = configuration.values[p.name].flatMap({ p.domain.position(of: $0) }), u.isFinite else { return 0.5 }
            return u.clamped(0, 1)
        }
    }
}

/// Parameter values of one trial: config key → value.
public struct Configuration: Equatable, Hashable, Sendable, CustomStringConvertible {
    public let values: [String: Config]

    public init(_ values: [String: Config]) { self.values = values }

    public subscript(_ name: String) -> Config? { values[name] }

    public var description: String {
        values.keys.sorted().map { "\($0)=\(values[$0]!)" }.joined(separator: " ")
    }
}
