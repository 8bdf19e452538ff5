import Config
import Foundation

/// `name` or `name(1, key=2)`: how initializers and activations are written in specs.
struct Call: Equatable {
    let name: String
    let positional: [Float]
    let arguments: [String: Float]

    init(parsing text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let open = trimmed.firstIndex(of: "(") else {
            name = trimmed; positional = []; arguments = [:]
            return
        }
        guard trimmed.hasSuffix(")") else { throw SpecError.at("", "'\(text)' has '(' without a closing ')'") }
        name = String(trimmed[..<open]).trimmingCharacters(in: .whitespaces)
        let inner = trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)]
        var positional: [Float] = [], arguments: [String: Float] = [:]
        for part in inner.split(separator: ",") {
            let pieces = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pieces.count == 2 {
                guard let v = Float(pieces[1]) else { throw SpecError.at("", "'\(pieces[1])' in '\(text)' is not a number") }
                arguments[pieces[0]] = v
            } else {
                guard let v = Float(pieces[0]) else { throw SpecError.at("", "'\(pieces[0])' in '\(text)' is not a number") }
                positional.append(v)
            }
        }
        self.positional = positional
        self.arguments = arguments
    }
}
