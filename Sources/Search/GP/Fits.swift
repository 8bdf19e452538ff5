import Dispatch
import Synchronization

/// A checkpoint's fit: the objective's hyperparameters, whether its outputs are warped, and
/// each constraint's hyperparameters.
struct Fit: Sendable, Equatable {
    let objective: Hyperparameters
    let warped: Bool
    let constraints: [Hyperparameters]
}

/// Fits keyed by the trials they are fitted on, made ahead of need on one background thread.
/// A fit is a pure function of its trials, so where or when it was made never changes a
/// suggestion: what takes a refit off the suggestion path is the sampler using the checkpoint
/// before the last one reached; this only decides whether that fit is ready when asked for.
final class Fits: Sendable {
    private enum Entry {
        case fitting(DispatchGroup)
        case done(Fit)
    }
    private struct State {
        var entries: [Int: Entry] = [:]
        /// The key most recently asked ahead: a queued fit that is no longer it is skipped.
        var latest: Int?
    }
    private let state = Mutex(State())
    private let queue = DispatchQueue(label: "sweep.gp.fits", qos: .utility)

    /// How many fits are made (not those being made).
    var count: Int { state.withLock { $0.entries.values.count { if case .done = $0 { true } else { false } } } }

    /// The fit for `key`: made already, awaited while it is being made, else made here.
    func fit(_ key: Int, _ make: () -> Fit) -> Fit {
        switch state.withLock({ $0.entries[key] }) {
        case let .done(fit)?: return fit
        case let .fitting(group)?:
            group.wait()
            if case let .done(fit)? = state.withLock({ $0.entries[key] }) { return fit }
        case nil: break
        }
        let fit = make()
        store(key, fit)
        return fit
    }

    /// Starts making the fit for `key` in the background unless it is made or being made. One
    /// fit runs at a time; one asked for while another waits to start replaces it (in a busy
    /// study the trials of a checkpoint settle as its stragglers finish: only the last set counts).
    func ahead(_ key: Int, _ make: @escaping @Sendable () -> Fit) {
        let group = DispatchGroup()
        let started = state.withLock { state -> Bool in
            guard state.entries[key] == nil else { return false }
            state.entries[key] = .fitting(group)
            state.latest = key
            return true
        }
        guard started else { return }
        group.enter()
        queue.async { [self] in
            if state.withLock({ $0.latest }) == key { store(key, make()) } else { state.withLock { _ = $0.entries.removeValue(forKey: key) } }
            group.leave()
        }
    }

    private func store(_ key: Int, _ fit: Fit) {
        state.withLock { state in
            // Bounded: one sampler may serve several studies; fits being made stay.
            if state.entries.count > 256 { state.entries = state.entries.filter { if case .fitting = $0.value { true } else { false } } }
            state.entries[key] = .done(fit)
        }
    }
}
