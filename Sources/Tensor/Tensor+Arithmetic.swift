/// Broadcasting arithmetic. Scalars on either side are rank-0 tensors.
extension Tensor {
    public static func + (a: Tensor, b: Tensor) throws -> Tensor {
        try broadcastKernel(a, b, "add") { $0 + $1 }.recorded(.add, a, b)
    }

    public static func - (a: Tensor, b: Tensor) throws -> Tensor {
        try broadcastKernel(a, b, "subtract") { $0 - $1 }.recorded(.subtract, a, b)
    }

    public static func * (a: Tensor, b: Tensor) throws -> Tensor {
        try broadcastKernel(a, b, "multiply") { $0 * $1 }.recorded(.multiply, a, b)
    }

    public static func / (a: Tensor, b: Tensor) throws -> Tensor {
        try broadcastKernel(a, b, "divide") { $0 / $1 }.recorded(.divide, a, b)
    }

    public static prefix func - (x: Tensor) -> Tensor {
        mapKernel(x) { -$0 }.recorded(.negate, x)
    }

    public static func + (a: Tensor, b: Float) -> Tensor { try! a + Tensor(b) }
    public static func - (a: Tensor, b: Float) -> Tensor { try! a - Tensor(b) }
    public static func * (a: Tensor, b: Float) -> Tensor { try! a * Tensor(b) }
    public static func / (a: Tensor, b: Float) -> Tensor { try! a / Tensor(b) }
    public static func + (a: Float, b: Tensor) -> Tensor { try! Tensor(a) + b }
    public static func - (a: Float, b: Tensor) -> Tensor { try! Tensor(a) - b }
    public static func * (a: Float, b: Tensor) -> Tensor { try! Tensor(a) * b }
    public static func / (a: Float, b: Tensor) -> Tensor { try! Tensor(a) / b }
}

/// How `compare` relates two elements.
public enum Comparison: Sendable {
    case less, lessOrEqual, greater, greaterOrEqual, equal, notEqual
}

extension Tensor {
    /// 1 where the comparison holds, else 0 (broadcasting; not differentiable).
    public func compare(_ relation: Comparison, _ other: Tensor) throws -> Tensor {
        switch relation {
        case .less: try broadcastKernel(self, other, "compare") { $0 < $1 ? 1 : 0 }
        case .lessOrEqual: try broadcastKernel(self, other, "compare") { $0 <= $1 ? 1 : 0 }
        case .greater: try broadcastKernel(self, other, "compare") { $0 > $1 ? 1 : 0 }
        case .greaterOrEqual: try broadcastKernel(self, other, "compare") { $0 >= $1 ? 1 : 0 }
        case .equal: try broadcastKernel(self, other, "compare") { $0 == $1 ? 1 : 0 }
        case .notEqual: try broadcastKernel(self, other, "compare") { $0 != $1 ? 1 : 0 }
        }
    }

    /// `a` where `condition` is nonzero, else `b` (all three broadcast together).
    public static func select(_ condition: Tensor, _ a: Tensor, _ b: Tensor) throws -> Tensor {
        let shape = try broadcastShape(try broadcastShape(condition.shape, a.shape, operation: "select"), b.shape, operation: "select")
        let mask = try condition.expanded(to: shape), left = try a.expanded(to: shape), right = try b.expanded(to: shape)
        let out = Tensor(uninitialized: shape)
        let pm = mask.storage.pointer, pa = left.storage.pointer, pb = right.storage.pointer, po = out.storage.pointer
        for i in 0..<out.count { po[i] = pm[i] != 0 ? pa[i] : pb[i] }
        out.recordOp({ .select(mask) }, [a, b])
        return out
    }

    /// A copy broadcast to `shape` (not recorded; used by kernels that need equal shapes).
    func expanded(to target: [Int]) throws -> Tensor {
        if shape == target { return self }
        return try Tensor.withoutGradients { () throws in
            try broadcastKernel(Tensor.zeros(target), self, "expand") { $1 }
        }
    }
}
