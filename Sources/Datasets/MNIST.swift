import Foundation

/// MNIST-format image sets (IDX image and label files).
public enum MNIST {
    /// Where Debian's `dataset-fashion-mnist` installs Fashion-MNIST.
    public static let fashionDirectory = "/usr/share/datasets/fashion-mnist"

    /// Loads `{prefix}-images-idx3-ubyte[.gz]` and `{prefix}-labels-idx1-ubyte[.gz]` from
    /// `directory` as [n, 1, rows, cols] images scaled to [0, 1] with 10 classes.
    public static func load(directory: String, prefix: String, limit: Int? = nil) throws -> Dataset {
        let images = try IDXFile(contentsOf: find(directory, "\(prefix)-images-idx3-ubyte"))
        let labels = try IDXFile(contentsOf: find(directory, "\(prefix)-labels-idx1-ubyte"))
        return try dataset(images: images, labels: labels, source: "\(directory)/\(prefix)", limit: limit)
    }

    /// Fashion-MNIST train (60,000) and test (10,000) sets from the Debian package.
    public static func fashion(directory: String = fashionDirectory, limit: Int? = nil, testLimit: Int? = nil) throws -> (train: Dataset, test: Dataset) {
        guard FileManager.default.fileExists(atPath: directory) else {
            throw DataError(directory, "Fashion-MNIST is not installed here (apt-get install dataset-fashion-mnist, or run make deps)")
        }
        return (try load(directory: directory, prefix: "train", limit: limit), try load(directory: directory, prefix: "t10k", limit: testLimit))
    }

    static func dataset(images: IDXFile, labels: IDXFile, source: String, limit: Int?) throws -> Dataset {
        guard images.shape.count == 3 else { throw DataError(source, "image file has shape \(images.shape), expected [n, rows, cols]") }
        guard labels.shape.count == 1 else { throw DataError(source, "label file has shape \(labels.shape), expected [n]") }
        guard images.shape[0] == labels.shape[0] else {
            throw DataError(source, "\(images.shape[0]) images but \(labels.shape[0]) labels")
        }
        let n = Swift.min(images.shape[0], limit ?? .max), pixels = images.shape[1] * images.shape[2]
        let features = images.bytes.prefix(n * pixels).map { Float($0) / 255 }
        let classes = labels.bytes.prefix(n).map(Int.init)
        guard let top = classes.max(), top < 10 else { throw DataError(source, "labels must be 0–9, found \(classes.max() ?? -1)") }
        return try Dataset(shape: [n, 1, images.shape[1], images.shape[2]], features: features, targets: .classes(classes, count: 10))
    }

    private static func find(_ directory: String, _ name: String) throws -> String {
        for candidate in ["\(directory)/\(name).gz", "\(directory)/\(name)"] where FileManager.default.fileExists(atPath: candidate) {
            return candidate
        }
        throw DataError("\(directory)/\(name)[.gz]", "file not found")
    }
}
