import Testing
@testable import sweep_bench

/// The benchmark's objectives are right, or its regrets mean nothing.
@Suite("Benchmark functions")
struct TestFunctionTests {
    @Test("the synthetic functions reach their known optimum at their known minimizers")
    func functions() {
        let minimizers: [(TestFunction, [Double])] = [
            (.branin, [Double.pi, 2.275]), (.hartmann3, [0.114614, 0.555649, 0.852547]),
            (.hartmann6, [0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573]),
            (.ackley5, [0, 0, 0, 0, 0]), (.rosenbrock4, [1, 1, 1, 1]), (.levy5, [1, 1, 1, 1, 1]),
            (.styblinskiTang5, Array(repeating: -2.903534, count: 5)),
            // Hartmann-6's minimizer at the active coordinates; the other 14 change nothing.
            (.hartmann6in20, (0..<20).map { k in
                TestFunction.active20.firstIndex(of: k).map { [0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573][$0] } ?? Double(k) / 20 }),
        ]
        for (f, x) in minimizers {
            #expect(abs(f.evaluate(x) - f.optimum) < 1e-4, "\(f.name): f(x*) = \(f.evaluate(x)), optimum \(f.optimum)")
        }
    }
}
