import Synchronization

/// A one-way switch threads can share: off until `set()` is called once.
public final class Latch: Sendable {
    private let value = Atomic<Bool>(false)

    public init() {}

    public var isSet: Bool { value.load(ordering: .acquiring) }

    /// Turns the flag on; true for the one caller that turned it on.
    @discardableResult
    public func set() -> Bool {
        !value.exchange(true, ordering: .acquiringAndReleasing)
    }
}
