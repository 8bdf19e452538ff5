import Foundation

/// NSGA-II (Deb et al. 2002), steady state: the population is the best `population` finished
/// trials by non-dominated front, then crowding distance (elitist, as NSGA-II's selection of
/// parents and children together); each suggestion is one child of two parents picked by binary
/// tournament, made by simulated binary crossover and polynomial mutation on the unit cube
/// (uniform crossover and a fresh draw for categorical parameters). The first `population`
/// suggestions are quasi-random. Pure: the population is recomputed from the history, so it
/// needs no generations and no state, and a restarted coordinator suggests the same. With
/// constraints, feasible trials dominate infeasible ones (`select`).
public struct NSGA2Sampler: ParetoSampler {
    public let seed: UInt64
    public let population: Int
    /// Spread of simulated binary crossover and of polynomial mutation (larger: children nearer
    /// their parents); the usual 15 and 20.
    public let crossoverIndex = 15.0, mutationIndex = 20.0

    public init(seed: UInt64 = 0, population: Int = 50) {
        self.seed = seed
        self.population = Swift.max(population, 2)
    }

    public func suggest<G: RandomNumberGenerator>(_ space: SearchSpace, history: [Trial], directions: [Direction], using generator: inout G) -> Configuration? {
        let scored = history.compactMap { t in t.scored.map { (t, Pareto.losses($0, directions)) } }
        guard scored.count >= population, !space.parameters.isEmpty else {
            return SobolSampler(seed: seed).suggest(space, history: history, direction: .minimize, using: &generator)
        }
        let parents = select(scored.map(\.1), violations: scored.map { Feasibility.total($0.0.violations) })
        let points = parents.map { space.point(of: scored[$0.index].0.configuration) }
        func tournament(_ generator: inout G) -> [Double] {
            let a = Int(generator.next() % UInt64(parents.count)), b = Int(generator.next() % UInt64(parents.count))
            let (p, q) = (parents[a], parents[b])
            return points[(p.front, -p.crowding, p.index) <= (q.front, -q.crowding, q.index) ? a : b]
        }
        let first = tournament(&generator), second = tournament(&generator)
        let rate = 1 / Double(space.parameters.count)
        let child = space.parameters.indices.map { d -> Double in
            let numeric = space.parameters[d].domain.isNumeric
            var x = generator.unit() < 0.5 ? first[d] : second[d]
            if numeric, generator.unit() < 0.5 { x = crossed(first[d], second[d], &generator) }
            if generator.unit() < rate { x = numeric ? mutated(x, &generator) : generator.unit() }
            return Swift.min(Swift.max(x, 0), 1)
        }
        return space.configuration(at: child)
    }

    /// The population: indices of the best `population` points with their front and crowding.
    /// With constraints (`violations`: each point's total, 0 when feasible), constrained
    /// domination (Deb 2000): every feasible point before any infeasible one, and infeasible ones
    /// by how far past their bounds, least first, each a front of its own.
    func select(_ losses: [[Double]], violations: [Double]? = nil) -> [(index: Int, front: Int, crowding: Double)] {
        let feasible = losses.indices.filter { (violations?[$0] ?? 0) == 0 }
        let front = Pareto.fronts(feasible.map { losses[$0] })
        var chosen: [(index: Int, front: Int, crowding: Double)] = []
        var level = 0
        while chosen.count < population {
            let members = feasible.indices.filter { front[$0] == level }.map { feasible[$0] }
            if members.isEmpty { break }
            let crowding = Pareto.crowding(members.map { losses[$0] })
            let ranked = members.indices.sorted { (-crowding[$0], members[$0]) < (-crowding[$1], members[$1]) }
            for r in ranked.prefix(population - chosen.count) { chosen.append((members[r], level, crowding[r])) }
            level += 1
        }
        guard let violations else { return chosen }
        let infeasible = losses.indices.filter { violations[$0] > 0 }.sorted { (violations[$0], $0) < (violations[$1], $1) }
        for (i, index) in infeasible.prefix(population - chosen.count).enumerated() { chosen.append((index, level + i, 0)) }
        return chosen
    }

    /// Simulated binary crossover of one coordinate (Deb & Agrawal 1995): one of the two children.
    func crossed<G: RandomNumberGenerator>(_ a: Double, _ b: Double, _ generator: inout G) -> Double {
        let u = generator.unit()
        let beta = u <= 0.5 ? pow(2 * u, 1 / (crossoverIndex + 1)) : pow(1 / (2 * (1 - u)), 1 / (crossoverIndex + 1))
        let sign: Double = generator.unit() < 0.5 ? 1 : -1
        return 0.5 * ((a + b) + sign * beta * (a - b))
    }

    /// Polynomial mutation of one coordinate in [0, 1] (Deb & Goyal 1996).
    func mutated<G: RandomNumberGenerator>(_ x: Double, _ generator: inout G) -> Double {
        let u = generator.unit(), power = 1 / (mutationIndex + 1)
        let delta = u < 0.5 ? pow(2 * u + (1 - 2 * u) * pow(1 - x, mutationIndex + 1), power) - 1
                            : 1 - pow(2 * (1 - u) + 2 * (u - 0.5) * pow(x, mutationIndex + 1), power)
        return x + delta
    }
}
