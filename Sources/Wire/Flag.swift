import Synchronization

/// A one-way switch threads can share: off until `set()` is called once.
final class Flag: Sendable {
    private let value = Atomic<Bool>(false)

    var isSet: Bool { value.load(ordering: .acquiring) }

    /// Turns the flag on; true for the one caller that turned it on.
    func set() -> Bool {
        !value.exchange(true, ordering: .acquiringAndReleasing)
    }
}
