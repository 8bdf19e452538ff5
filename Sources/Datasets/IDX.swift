import Foundation

/// The IDX format of MNIST and Fashion-MNIST: a magic number (two zero bytes, a type code,
/// the number of dimensions), big-endian UInt32 extents, then the elements. Gzip or raw.
public struct IDXFile: Sendable {
    public let shape: [Int]
    /// The elements as bytes (type code 0x08, unsigned byte: what MNIST files hold).
    public let bytes: [UInt8]

    public init(contentsOf path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            throw DataError(path, "file not found")
        }
        guard let raw = FileManager.default.contents(atPath: path) else { throw DataError(path, "cannot be read") }
        try self.init(data: raw, source: path)
    }

    public init(data raw: Data, source: String) throws {
        let data = Gzip.isCompressed(raw) ? try Gzip.decompress(raw, source: source) : raw
        let b = [UInt8](data)
        guard b.count >= 4 else { throw DataError(source, "too short for an IDX header (\(b.count) bytes)") }
        guard b[0] == 0, b[1] == 0 else { throw DataError(source, "not an IDX file (magic \(b[0]) \(b[1]), expected 0 0)") }
        guard b[2] == 0x08 else { throw DataError(source, "element type 0x\(String(b[2], radix: 16)) is not supported (only 0x08, unsigned bytes)") }
        let rank = Int(b[3])
        guard rank >= 1, b.count >= 4 + 4 * rank else { throw DataError(source, "header declares \(rank) dimensions but is cut short") }
        var shape: [Int] = []
        for d in 0..<rank {
            let o = 4 + 4 * d
            shape.append(Int(b[o]) << 24 | Int(b[o + 1]) << 16 | Int(b[o + 2]) << 8 | Int(b[o + 3]))
        }
        let expected = shape.reduce(1, *), start = 4 + 4 * rank
        guard b.count - start == expected else {
            throw DataError(source, "shape \(shape) needs \(expected) bytes of data, found \(b.count - start) (truncated or padded file)")
        }
        self.shape = shape
        self.bytes = Array(b[start...])
    }
}
