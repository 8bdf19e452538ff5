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

/// Free buffers by exact size, at most `capacity` bytes in all: when a buffer given back would
/// pass it, the sizes used longest ago are freed first, so a worker that runs trial after trial
/// of different shapes keeps only what its current trial reuses.
final class BufferPool: Sendable {
    static let shared = BufferPool()
    /// Addresses of free buffers (as integers: pointers are not Sendable), by size.
    private struct Shelves {
        var free: [Int: [UInt]] = [:]
        /// When each size was last taken or given (a counter, not a clock).
        var used: [Int: Int] = [:]
        var tick = 0
        var bytes = 0
    }
    private let shelves = Mutex(Shelves())
    private let perSize = 64
    let capacity: Int
    /// Buffers allocated fresh (not reused) so far: flat once a training loop reaches steady state.
    let allocations = Atomic<Int>(0)

    init(capacity: Int = 1 << 30) { self.capacity = capacity }

    /// Counts fresh allocations made inside `BufferPool.$counter.withValue(…)` only, so a test can
    /// watch its own steps while other tests share the pool.
    final class Counter: Sendable {
        let count = Atomic<Int>(0)
        init() {}
    }
    @TaskLocal static var counter: Counter?

    func take(_ count: Int) -> UnsafeMutablePointer<Float> {
        let reused = shelves.withLock { s -> UInt? in
            s.tick += 1
            s.used[count] = s.tick
            guard let address = s.free[count]?.popLast() else { return nil }
            s.bytes -= count * 4
            return address
        }
        if let reused { return UnsafeMutablePointer(bitPattern: reused)! }
        allocations.add(1, ordering: .relaxed)
        Self.counter?.count.add(1, ordering: .relaxed)
        // 64-byte alignment keeps AVX-512 loads on one cache line.
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * 4, alignment: 64)
        return raw.bindMemory(to: Float.self, capacity: max(count, 1))
    }

    func give(_ pointer: UnsafeMutablePointer<Float>, _ count: Int) {
        var released: [UInt] = []
        shelves.withLock { s in
            guard s.free[count, default: []].count < perSize, count * 4 <= capacity else {
                released.append(UInt(bitPattern: pointer))
                return
            }
            s.tick += 1
            s.used[count] = s.tick
            s.free[count, default: []].append(UInt(bitPattern: pointer))
            s.bytes += count * 4
            while s.bytes > capacity, let stale = s.free.keys.filter({ $0 != count && !(s.free[$0]?.isEmpty ?? true) }).min(by: { s.used[$0, default: 0] < s.used[$1, default: 0] }) {
                let addresses = s.free.removeValue(forKey: stale) ?? []
                s.bytes -= addresses.count * stale * 4
                released += addresses
            }
        }
        for address in released { UnsafeMutableRawPointer(bitPattern: address)!.deallocate() }
    }

    /// Bytes held in free buffers now.
    var heldBytes: Int { shelves.withLock { $0.bytes } }
}
