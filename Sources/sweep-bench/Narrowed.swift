import Foundation

/// The items an environment variable names (`SWEEP_BENCH_FUNCTIONS=hartmann6,branin`), or all
/// of them when it is unset: a run narrowed while tuning one sampler or problem.
func narrowed<T>(_ all: [T], by variable: String, name: (T) -> String) -> [T] {
    guard let wanted = ProcessInfo.processInfo.environment[variable]?.split(separator: ",").map(String.init) else { return all }
    return all.filter { wanted.contains(name($0)) }
}
