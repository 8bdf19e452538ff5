/// An n-dimensional array of Float32 in row-major order that can record the operations applied
/// to it, so that `backward()` can compute gradients.
///
/// Every operation returns a new tensor; `reshape` shares storage with its input. Operations
/// throw `TensorError` for shapes they cannot combine, so one `try` covers an expression:
/// `let y = try (x.matmul(w) + b).relu()`.
public final class Tensor {
    /// The extent of each axis, outermost first. `[]` is a scalar.
    public let shape: [Int]
    /// Number of elements.
    public let count: Int
    let storage: Storage

    /// Whether `backward()` fills `grad` for this tensor (set on parameters).
    public var requiresGrad: Bool
    /// The gradient accumulated by `backward()` calls, shaped like this tensor.
    public internal(set) var grad: Tensor?
    /// How this tensor was computed, when that was recorded for autodiff.
    var node: Node?

    init(shape: [Int], storage: Storage, requiresGrad: Bool = false) {
        self.shape = shape
        self.count = shape.reduce(1, *)
        self.storage = storage
        self.requiresGrad = requiresGrad
        assert(storage.count >= count)
    }

    /// An uninitialized tensor; every kernel that uses this writes each element.
    convenience init(uninitialized shape: [Int]) {
        self.init(shape: shape, storage: Storage(uninitialized: shape.reduce(1, *)))
    }

    /// A tensor with these elements in row-major order.
    public convenience init(shape: [Int], scalars: [Float], requiresGrad: Bool = false) throws {
        guard shape.allSatisfy({ $0 >= 0 }) else { throw TensorError("init", "negative extent in shape \(describe(shape))") }
        guard shape.reduce(1, *) == scalars.count else {
            throw TensorError("init", "shape \(describe(shape)) holds \(shape.reduce(1, *)) elements, got \(scalars.count)")
        }
        let storage = Storage(uninitialized: scalars.count)
        _ = storage.buffer.initialize(from: scalars)
        self.init(shape: shape, storage: storage, requiresGrad: requiresGrad)
    }

    /// A scalar (rank-0) tensor.
    public convenience init(_ scalar: Float) {
        let storage = Storage(uninitialized: 1)
        storage.pointer[0] = scalar
        self.init(shape: [], storage: storage)
    }

    /// The row-major strides of `shape`: elements to skip per step along each axis.
    public var strides: [Int] { Self.strides(of: shape) }

    static func strides(of shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var step = 1
        for axis in shape.indices.reversed() {
            strides[axis] = step
            step *= shape[axis]
        }
        return strides
    }

    public var rank: Int { shape.count }

    /// The elements in row-major order.
    public var scalars: [Float] { Array(UnsafeBufferPointer(start: storage.pointer, count: count)) }

    /// The only element of a one-element tensor.
    public var item: Float {
        precondition(count == 1, "item of a tensor with \(count) elements (shape \(describe(shape)))")
        return storage.pointer[0]
    }

    /// The element at a full index.
    public subscript(_ index: Int...) -> Float {
        precondition(index.count == rank, "index \(index) for shape \(describe(shape))")
        var offset = 0
        for (axis, i) in index.enumerated() {
            precondition(i >= 0 && i < shape[axis], "index \(index) out of shape \(describe(shape))")
            offset = offset * shape[axis] + i
        }
        return storage.pointer[offset]
    }

    /// A copy that records nothing and shares nothing.
    public func detached() -> Tensor {
        let copy = Tensor(uninitialized: shape)
        copy.storage.pointer.update(from: storage.pointer, count: count)
        return copy
    }

    /// Forgets the accumulated gradient.
    public func zeroGrad() { grad = nil }

    /// Read-only access to the elements.
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: storage.pointer, count: count))
    }

    /// In-place access to the elements, for optimizers and data loaders. Not recorded.
    public func withUnsafeMutableBufferPointer<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeMutableBufferPointer(start: storage.pointer, count: count))
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let shown = scalars.prefix(8).map { String($0) }.joined(separator: ", ")
        return "Tensor\(describe(shape))(\(shown)\(count > 8 ? ", …" : ""))"
    }
}
