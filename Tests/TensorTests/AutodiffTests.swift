import Synchronization
import Testing
import TestSupport
@testable import Tensor

@Suite("Autodiff semantics")
struct AutodiffTests {
    @Test("gradients accumulate across uses and across backward calls")
    func accumulation() throws {
        // y = x·x + x  ⇒  dy/dx = 2x + 1
        let x = try Tensor(shape: [3], scalars: [1, 2, 3], requiresGrad: true)
        try (x * x + x).sum().backward()
        #expect(x.grad?.scalars == [3, 5, 7])
        try (x * 2).sum().backward()
        #expect(x.grad?.scalars == [5, 7, 9], "a second backward adds to the gradient")
        x.zeroGrad()
        #expect(x.grad == nil)
    }

    @Test("a broadcast bias gets the sum of the gradients over the batch")
    func broadcastBias() throws {
        let x = Tensor.ones([4, 3])
        let b = try Tensor(shape: [3], scalars: [0, 0, 0], requiresGrad: true)
        try (x + b).sum().backward()
        #expect(b.grad?.shape == [3])
        #expect(b.grad?.scalars == [4, 4, 4])
    }

    @Test("evaluation mode records nothing")
    func evaluationMode() throws {
        let w = try Tensor(shape: [2, 2], scalars: [1, 2, 3, 4], requiresGrad: true)
        let recorded = try w.matmul(w).relu()
        #expect(recorded.node != nil)
        let free = try Tensor.withoutGradients { try w.matmul(w).relu() }
        #expect(free.node == nil)
        #expect(free.scalars == recorded.scalars)
        let constant = try Tensor.ones([2, 2]).matmul(Tensor.ones([2, 2]))
        #expect(constant.node == nil, "nothing that needs a gradient: nothing recorded")
    }

    @Test("backward needs a scalar or a seed of the output's shape")
    func backwardErrors() throws {
        let x = try Tensor(shape: [2], scalars: [1, 2], requiresGrad: true)
        let y = x * 3
        let error = #expect(throws: TensorError.self) { try y.backward() }
        #expect(error?.description == "backward: needs a one-element tensor, got shape [2]")
        try y.backward(seed: Tensor.ones([2]))
        #expect(x.grad?.scalars == [3, 3])
    }

    @Test("shape errors name the operation and both shapes")
    func shapeErrors() throws {
        let a = Tensor.zeros([2, 3]), b = Tensor.zeros([4, 5])
        let matmul = #expect(throws: TensorError.self) { try a.matmul(b) }
        #expect(matmul?.description == "matmul: inner dimensions differ: [2, 3] × [4, 5] (3 vs 4)")
        let add = #expect(throws: TensorError.self) { try a + b }
        #expect(add?.description == "add: shapes [2, 3] and [4, 5] do not broadcast (axis 0: 2 vs 4)")
        let conv = #expect(throws: TensorError.self) { try Tensor.zeros([1, 3, 8, 8]).conv2d(Tensor.zeros([4, 2, 3, 3])) }
        #expect(conv?.description == "conv2d: input [1, 3, 8, 8] has 3 channels but weight [4, 2, 3, 3] expects 2")
        let reshape = #expect(throws: TensorError.self) { try a.reshaped([4, 2]) }
        #expect(reshape?.description == "reshape: [2, 3] has 6 elements; [4, 2] holds 8")
        let concat = #expect(throws: TensorError.self) { try Tensor.concatenate([a, b], axis: 0) }
        #expect(concat?.description == "concatenate: shapes [2, 3] and [4, 5] differ off axis 0")
        #expect(throws: TensorError.self) { try a.sum(axis: 2) }
        #expect(throws: TensorError.self) { try a.gathered(rows: [0, 2]) }
        #expect(throws: TensorError.self) { try Tensor.oneHot([3], classes: 3) }
    }
}

@Suite("Determinism")
struct DeterminismTests {
    /// A few steps of a small two-layer network; returns every loss and the final weights.
    func train(seed: UInt64) throws -> [Float] {
        var generator = SeededGenerator(seed: seed)
        let x = Tensor.normal([16, 6, 5, 5], using: &generator)
        let labels = (0..<16).map { _ in Int(generator.next() % 3) }
        let target = try Tensor.oneHot(labels, classes: 3)
        let conv = Tensor.truncatedNormal([4, 6, 3, 3], std: 0.3, using: &generator)
        let dense = Tensor.uniform([36, 3], low: -0.3, high: 0.3, using: &generator)
        conv.requiresGrad = true
        dense.requiresGrad = true
        var trace: [Float] = []
        for _ in 0..<3 {
            let hidden = try x.conv2d(conv).relu().flattened()
            let loss = try -(hidden.matmul(dense).logSoftmax() * target).sum() / 16
            try loss.backward()
            trace.append(loss.item)
            for p in [conv, dense] {
                let step = p.grad!.scalars
                p.withUnsafeMutableBufferPointer { w in for i in w.indices { w[i] -= 0.1 * step[i] } }
                p.zeroGrad()
            }
        }
        return trace + conv.scalars + dense.scalars
    }

    @Test("the same seed gives the same numbers, bit for bit")
    func sameSeed() throws {
        let first = try train(seed: 42), second = try train(seed: 42)
        #expect(first.map(\.bitPattern) == second.map(\.bitPattern))
        let other = try train(seed: 43)
        #expect(first != other)
        var a = SeededGenerator(seed: 5), b = SeededGenerator(seed: 5)
        #expect(Tensor.normal([100], using: &a).scalars == Tensor.normal([100], using: &b).scalars)
        #expect(a == b)
    }

    @Test("random draws have the asked-for distribution")
    func distributions() throws {
        var g = SeededGenerator(seed: 11)
        let n = Tensor.normal([20_000], mean: 1, std: 2, using: &g)
        #expect(abs(n.mean().item - 1) < 0.06)
        #expect(abs(n.variance().item.squareRoot() - 2) < 0.06)
        let t = Tensor.truncatedNormal([20_000], std: 1, using: &g)
        #expect(t.scalars.allSatisfy { abs($0) <= 2 })
        let u = Tensor.uniform([20_000], low: -3, high: -1, using: &g)
        #expect(u.scalars.allSatisfy { $0 >= -3 && $0 < -1 })
        #expect(abs(u.mean().item + 2) < 0.03)
    }
}

@Suite("Buffer reuse")
struct BufferReuseTests {
    @Test("a repeated training step allocates no new buffers after its first run")
    func steadyState() throws {
        var generator = SeededGenerator(seed: 3)
        let x = Tensor.normal([32, 1, 8, 8], using: &generator)
        let w = Tensor.normal([4, 1, 3, 3], std: 0.3, using: &generator)
        let v = Tensor.normal([36, 10], std: 0.3, using: &generator)
        w.requiresGrad = true
        v.requiresGrad = true
        let target = try Tensor.oneHot((0..<32).map { $0 % 10 }, classes: 10)
        func step() throws {
            let h = try x.conv2d(w).relu().maxPool2d(kernel: 2).flattened()
            let loss = try -(h.matmul(v).logSoftmax() * target).sum() / 32
            try loss.backward()
            w.zeroGrad()
            v.zeroGrad()
        }
        try step()
        try step()
        // Other tests run in parallel and share the pool: count only this test's allocations
        // (a task-local counter), and, as another test may take a buffer we just gave back,
        // require that some of our steps allocate nothing.
        var quietSteps = 0
        for _ in 0..<5 {
            let counter = BufferPool.Counter()
            try BufferPool.$counter.withValue(counter) { try step() }
            if counter.count.load(ordering: .relaxed) == 0 { quietSteps += 1 }
        }
        #expect(quietSteps >= 1, "every repeated step allocated fresh buffers")
    }

    @Test("the buffer pool holds at most its capacity, freeing the sizes used longest ago first")
    func poolCapacity() {
        let pool = BufferPool(capacity: 4 * 1000)
        let old = (0..<2).map { _ in pool.take(300) }
        for p in old { pool.give(p, 300) }
        #expect(pool.heldBytes == 2 * 300 * 4)
        // Another trial's shapes: 500 + 400 floats more would pass 1,000; the 300s go.
        let new = [pool.take(500), pool.take(400)]
        for (p, n) in zip(new, [500, 400]) { pool.give(p, n) }
        #expect(pool.heldBytes == 900 * 4, "the stale 300-float buffers were freed")
        // The sizes in use are still reused.
        let again = pool.take(500)
        #expect(pool.heldBytes == 400 * 4)
        pool.give(again, 500)
        // A buffer larger than the whole pool is never kept.
        let huge = pool.take(2000)
        pool.give(huge, 2000)
        #expect(pool.heldBytes == 900 * 4)
    }
}
