/// Whether operations record themselves for `backward()`. Off inside `Tensor.withoutGradients`,
/// which is what evaluation uses: nothing is recorded and nothing is kept alive.
enum GradMode {
    @TaskLocal static var enabled = true
}

/// A recorded operation: what was done, and to what.
final class Node {
    let op: Op
    let inputs: [Tensor]

    init(op: Op, inputs: [Tensor]) {
        self.op = op
        self.inputs = inputs
    }
}

extension Tensor {
    /// Runs `body` without recording operations (evaluation, optimizer updates).
    public static func withoutGradients<R>(_ body: () throws -> R) rethrows -> R {
        try GradMode.$enabled.withValue(false) { try body() }
    }

    /// Whether gradients flow into this tensor: a parameter, or computed from one.
    var tracksGradient: Bool { requiresGrad || node != nil }

    /// Attaches `op` to `output` when recording and some input tracks a gradient.
    @inline(__always)
    func recorded(_ op: @autoclosure () -> Op, _ inputs: Tensor...) -> Tensor {
        recordOp(op, inputs)
        return self
    }

    func recordOp(_ op: () -> Op, _ inputs: [Tensor]) {
        guard inputs.contains(where: { $0.tracksGradient }), GradMode.enabled else { return }
        node = Node(op: op(), inputs: inputs)
    }

    /// Fills `grad` of every tensor with `requiresGrad` that this scalar depends on, adding to
    /// what earlier calls left there.
    public func backward() throws {
        guard count == 1 else {
            throw TensorError("backward", "needs a one-element tensor, got shape \(describe(shape))")
        }
        try backward(seed: Tensor.ones(shape))
    }

    /// Backpropagates `seed` (shaped like this tensor) through the recorded operations.
    public func backward(seed: Tensor) throws {
        guard seed.shape == shape else {
            throw TensorError("backward", "seed shape \(describe(seed.shape)) differs from \(describe(shape))")
        }
        let order = topologicalOrder()
        var grads: [ObjectIdentifier: Tensor] = [ObjectIdentifier(self): seed]
        try Tensor.withoutGradients { () throws in
            for tensor in order.reversed() {
                guard let gradOut = grads.removeValue(forKey: ObjectIdentifier(tensor)) else { continue }
                guard let node = tensor.node else {
                    if tensor.requiresGrad { tensor.grad = try tensor.grad.map { try $0 + gradOut } ?? gradOut }
                    continue
                }
                let inputGrads = try Gradients.of(node.op, inputs: node.inputs, output: tensor, gradient: gradOut)
                for (input, gradient) in zip(node.inputs, inputGrads) {
                    guard let gradient, input.tracksGradient else { continue }
                    let reduced = try gradient.summed(toShape: input.shape)
                    let key = ObjectIdentifier(input)
                    grads[key] = try grads[key].map { try $0 + reduced } ?? reduced
                }
            }
        }
    }

    /// Tensors this one depends on through recorded operations, inputs before outputs.
    private func topologicalOrder() -> [Tensor] {
        var order: [Tensor] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(Tensor, Bool)] = [(self, false)]
        while let (tensor, expanded) = stack.popLast() {
            if expanded { order.append(tensor); continue }
            guard visited.insert(ObjectIdentifier(tensor)).inserted else { continue }
            stack.append((tensor, true))
            for input in tensor.node?.inputs ?? [] where input.tracksGradient && !visited.contains(ObjectIdentifier(input)) {
                stack.append((input, false))
            }
        }
        return order
    }

    /// Sums a broadcast gradient back to the shape of the input it flows into: the one place
    /// broadcasting is undone.
    func summed(toShape target: [Int]) throws -> Tensor {
        if shape == target { return self }
        var result = self
        // Leading axes the input did not have.
        while result.rank > target.count { result = try result.sum(axis: 0) }
        for axis in 0..<target.count where target[axis] == 1 && result.shape[axis] != 1 {
            result = try result.sum(axis: axis, keepingAxis: true)
        }
        return try result.reshaped(target)
    }
}
