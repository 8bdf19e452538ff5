import Synchronization

/// A contiguous Float32 buffer. Buffers are recycled through `BufferPool` when released, so a
/// training step that repeats the same shapes stops allocating after its first run.
final class Storage: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int

    /// An uninitialized buffer of `count` floats.
    init(uninitialized count: Int) {
        self.count = count
        pointer = BufferPool.shared.take(count)
    }

    /// A buffer of `count` zeros.
    convenience init(zeros count: Int) {
        self.init(uninitialized: count)
        pointer.update(repeating: 0, count: count)
    }

    deinit { BufferPool.shared.give(pointer, count) }

    var buffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: pointer, count: count) }
}

/// Free buffers by exact size. Bounded per size so that a change of shapes cannot hoard memory.
final class BufferPool: Sendable {
    static let shared = BufferPool()
    /// Addresses of free buffers (as integers: pointers are not Sendable).
    private let free = Mutex<[Int: [UInt]]>([:])
    private let perSize = 64
    /// Buffers allocated fresh (not reused) so far: flat once a training loop reaches steady state.
    let allocations = Atomic<Int>(0)

    /// Counts fresh allocations made inside `BufferPool.$counter.withValue(…)` only, so a test can
    /// watch its own steps while other tests share the pool.
    final class Counter: Sendable {
        let count = Atomic<Int>(0)
        init() {}
    }
    @TaskLocal static var counter: Counter?

    func take(_ count: Int) -> UnsafeMutablePointer<Float> {
        if let reused = free.withLock({ $0[count]?.popLast() }) { return UnsafeMutablePointer(bitPattern: reused)! }
        allocations.add(1, ordering: .relaxed)
        Self.counter?.count.add(1, ordering: .relaxed)
        // 64-byte alignment keeps AVX-512 loads on one cache line.
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * 4, alignment: 64)
        return raw.bindMemory(to: Float.self, capacity: max(count, 1))
    }

    func give(_ pointer: UnsafeMutablePointer<Float>, _ count: Int) {
        let kept = free.withLock { free -> Bool in
            if free[count, default: []].count >= perSize { return false }
            free[count, default: []].append(UInt(bitPattern: pointer))
            return true
        }
        if !kept { UnsafeMutableRawPointer(pointer).deallocate() }
    }
}
