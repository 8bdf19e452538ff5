/// A tensor operation given operands it cannot work with. The message names the operation and
/// the shapes, e.g. `matmul: inner dimensions differ: [2, 3] × [4, 5]`.
public struct TensorError: Error, CustomStringConvertible, Equatable, Sendable {
    public let operation: String
    public let message: String

    public init(_ operation: String, _ message: String) {
        self.operation = operation
        self.message = message
    }

    public var description: String { "\(operation): \(message)" }
}

/// `[2, 3]`, the way shapes appear in messages.
func describe(_ shape: [Int]) -> String { "[" + shape.map(String.init).joined(separator: ", ") + "]" }
