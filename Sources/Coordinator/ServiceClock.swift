import Foundation

/// The coordinator's one clock: Unix seconds that never jump. The wall clock is read once, at
/// start, and advanced by the monotonic clock, so stored times (which outlive the process and
/// count the wall-time budget) and liveness intervals (which a clock step must not fake) agree.
public struct ServiceClock: Sendable {
    private let wall: Double
    private let origin: ContinuousClock.Instant

    public init() {
        wall = Date().timeIntervalSince1970
        origin = ContinuousClock.now
    }

    public func now() -> Double {
        let elapsed = ContinuousClock.now - origin
        return wall + Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }
}
