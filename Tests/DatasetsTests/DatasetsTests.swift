import Foundation
import Testing
@testable import Datasets
import Tensor
import TrialSpecs

/// An IDX file in memory: magic, big-endian extents, bytes.
func idx(_ shape: [Int], _ bytes: [UInt8], type: UInt8 = 0x08) -> Data {
    var d = Data([0, 0, type, UInt8(shape.count)])
    for s in shape { d += [UInt8(s >> 24 & 255), UInt8(s >> 16 & 255), UInt8(s >> 8 & 255), UInt8(s & 255)] }
    return d + Data(bytes)
}

@Suite("IDX files")
struct IDXTests {
    @Test("raw IDX parses shape and bytes")
    func raw() throws {
        let file = try IDXFile(data: idx([2, 3], [1, 2, 3, 4, 5, 6]), source: "mem")
        #expect(file.shape == [2, 3] && file.bytes == [1, 2, 3, 4, 5, 6])
    }

    @Test("malformed IDX data is rejected with the file and the reason")
    func malformed() throws {
        func problem(_ data: Data) -> String {
            do { _ = try IDXFile(data: data, source: "x.idx"); return "accepted" } catch { return "\(error)" }
        }
        #expect(problem(Data([0, 0])) == "x.idx: too short for an IDX header (2 bytes)")
        #expect(problem(Data([1, 0, 8, 1, 0, 0, 0, 1, 5])) == "x.idx: not an IDX file (magic 1 0, expected 0 0)")
        #expect(problem(idx([1], [0], type: 0x0D)) == "x.idx: element type 0xd is not supported (only 0x08, unsigned bytes)")
        #expect(problem(idx([2, 3], [1, 2, 3])) == "x.idx: shape [2, 3] needs 6 bytes of data, found 3 (truncated or padded file)")
        #expect(problem(Data([0, 0, 8, 3, 0, 0])) == "x.idx: header declares 3 dimensions but is cut short")
    }

    @Test("a missing file names the path")
    func missing() {
        let error = #expect(throws: DataError.self) { try IDXFile(contentsOf: "/nonexistent/train-images-idx3-ubyte") }
        #expect(error?.description == "/nonexistent/train-images-idx3-ubyte: file not found")
    }

    @Test("Fashion-MNIST loads from the Debian package, gzipped, and truncated gzip is caught")
    func fashion() throws {
        let (train, test) = try MNIST.fashion(limit: 100, testLimit: 50)
        #expect(train.shape == [100, 1, 28, 28] && test.shape == [50, 1, 28, 28])
        #expect(train.features.allSatisfy { $0 >= 0 && $0 <= 1 })
        guard case let .classes(labels, count) = train.targets else { Issue.record("expected classes"); return }
        #expect(count == 10 && Set(labels).isSubset(of: Set(0..<10)) && Set(labels).count > 5)
        let path = "\(MNIST.fashionDirectory)/t10k-labels-idx1-ubyte.gz"
        let whole = try Data(contentsOf: URL(fileURLWithPath: path))
        let labelsFile = try IDXFile(data: whole, source: path)
        #expect(labelsFile.shape == [10_000])
        let cut = #expect(throws: DataError.self) { try IDXFile(data: whole.prefix(whole.count / 2), source: path) }
        #expect(cut?.description == "\(path): gzip data is truncated")
        var corrupt = whole
        corrupt[20] ^= 0xFF
        corrupt[21] ^= 0xFF
        #expect(throws: DataError.self) { try IDXFile(data: corrupt, source: path) }
    }
}

@Suite("CSV tables")
struct CSVTests {
    let text = "size,color,\"note, quoted\",label\n1.0,red,\"a \"\"b\"\"\",yes\n3.0,blue,x,no\n5.0,red,y,yes\n"

    @Test("numbers are standardized, text one-hot, and the target becomes classes")
    func classification() throws {
        let data = try CSVTable.parse(text, source: "t.csv", target: "label", task: .classification)
        // size standardized: mean 3, population std √(8/3); color → blue, red; note → 3 categories.
        #expect(data.shape == [3, 6])
        #expect(abs(data.features[0] + 2 / (8.0 / 3).squareRoot()) < 1e-5)
        #expect(Array(data.features[1...2]) == [0, 1], "red is [blue 0, red 1]")
        guard case let .classes(labels, count) = data.targets else { Issue.record("expected classes"); return }
        #expect(count == 2 && labels == [1, 0, 1], "classes sorted: no = 0, yes = 1")
    }

    @Test("regression targets must be numbers")
    func regression() throws {
        let data = try CSVTable.parse("x,y\n1,2\n2,4.5\n", source: "r.csv", target: "y", task: .regression)
        guard case let .values(values, width) = data.targets else { Issue.record("expected values"); return }
        #expect(values == [2, 4.5] && width == 1)
        let error = #expect(throws: DataError.self) { try CSVTable.parse(text, source: "t.csv", target: "label", task: .regression) }
        #expect(error?.description == "t.csv: target column 'label' must be numeric for regression (found 'yes')")
    }

    @Test("malformed tables say where")
    func malformed() {
        func problem(_ text: String, target: String = "y") -> String {
            do { _ = try CSVTable.parse(text, source: "m.csv", target: target, task: .classification); return "accepted" } catch { return "\(error)" }
        }
        #expect(problem("x,y\n1,2\n3\n") == "m.csv: line 3 has 1 fields, the header has 2")
        #expect(problem("x,y\n1,\"2\n") == "m.csv: line 3: a quoted field is never closed")
        #expect(problem("x,z\n1,2\n") == "m.csv: has no column 'y' (columns: x, z)")
        #expect(problem("") == "m.csv: is empty (expected a header row)")
        #expect(problem("x,y\n") == "m.csv: has a header but no rows")
    }
}

@Suite("Splits, batches and augmentation")
struct PipelineTests {
    @Test("the split is deterministic, disjoint and complete")
    func split() {
        let data = Synthetic.line(count: 100, seed: 1)
        let (a, b) = data.split(validationFraction: 0.2, seed: 7)
        let (c, _) = data.split(validationFraction: 0.2, seed: 7)
        #expect(a.count == 80 && b.count == 20)
        #expect(a.features == c.features)
        #expect(Set(a.features + b.features) == Set(data.features))
    }

    @Test("an epoch's batches cover every example once")
    func batches() {
        var g = SeededGenerator(seed: 2)
        let order = batchOrder(count: 103, batchSize: 10, shuffle: true, using: &g)
        #expect(order.count == 11 && order.last?.count == 3)
        #expect(order.flatMap { $0 }.sorted() == Array(0..<103))
        #expect(order.flatMap { $0 } != Array(0..<103))
    }

    @Test("flip mirrors rows and translation shifts with zero fill")
    func augmentation() throws {
        let image = try Tensor(shape: [1, 1, 2, 3], scalars: [1, 2, 3, 4, 5, 6])
        var g = SeededGenerator(seed: 0)
        var flipped: [Float] = []
        for _ in 0..<10 where flipped.isEmpty {
            let copy = image.detached()
            Augmentation(flip: true).apply(to: copy, using: &g)
            if copy.scalars != image.scalars { flipped = copy.scalars }
        }
        #expect(flipped == [3, 2, 1, 6, 5, 4])
        var shifted = Set<[Float]>()
        for _ in 0..<60 {
            let copy = image.detached()
            Augmentation(translate: 1).apply(to: copy, using: &g)
            shifted.insert(copy.scalars)
        }
        #expect(shifted.contains([0, 1, 2, 0, 4, 5]), "right by one")
        #expect(shifted.contains([4, 5, 6, 0, 0, 0]), "up by one")
        #expect(shifted.count == 9, "every shift in [-1, 1]²")
    }

    @Test("synthetic sets have the asked-for shape and targets")
    func synthetic() {
        #expect(Synthetic.spirals(perClass: 50, classes: 3, seed: 1).shape == [150, 2])
        #expect(Synthetic.moons(count: 40, seed: 1).count == 40)
        guard case let .values(ys, _) = Synthetic.line(count: 10, noise: 0, seed: 1).targets else { return }
        let xs = Synthetic.line(count: 10, noise: 0, seed: 1).features
        #expect(zip(xs, ys).allSatisfy { abs(2 * $0 + 1 - $1) < 1e-6 })
    }
}
