/// A dataset that could not be read or made: names the file (or dataset) and what is wrong.
public struct DataError: Error, CustomStringConvertible, Equatable, Sendable {
    public let source: String
    public let problem: String

    public init(_ source: String, _ problem: String) {
        self.source = source
        self.problem = problem
    }

    public var description: String { "\(source): \(problem)" }
}
