import Config
import Foundation

/// How a weight or bias tensor starts. Fan-in and fan-out count the inputs and outputs of one
/// unit (for a conv kernel, channels × kernel area).
public enum Initializer: Equatable, Sendable, CustomStringConvertible {
    case zeros
    case constant(Float)
    case normal(mean: Float, std: Float)
    case uniform(low: Float, high: Float)
    /// Glorot & Bengio 2010: U(±√(6/(fanIn+fanOut))).
    case glorotUniform
    /// N(0, 2/(fanIn+fanOut)).
    case glorotNormal
    /// He et al. 2015: U(±√(6/fanIn)).
    case heUniform
    /// N(0, 2/fanIn).
    case heNormal
    /// LeCun 1998: N(0, 1/fanIn).
    case lecunNormal

    /// Parses `zeros`, `constant(0.1)`, `normal(std=1)`, `normal(mean=0, std=0.5)`,
    /// `uniform(low=-0.1, high=0.1)`, `glorot_uniform`, `glorot_normal`, `he_uniform`,
    /// `he_normal`, `lecun_normal` (`xavier_*` and `kaiming_*` are accepted too).
    public init(parsing text: String, path: String) throws {
        let call = try Call(parsing: text)
        func value(_ key: String, _ index: Int, default fallback: Float) -> Float {
            call.arguments[key] ?? (index < call.positional.count ? call.positional[index] : fallback)
        }
        switch call.name {
        case "zeros", "zero": self = .zeros
        case "ones": self = .constant(1)
        case "constant": self = .constant(value("value", 0, default: 0))
        case "normal": self = .normal(mean: value("mean", 1, default: 0), std: value("std", 0, default: 1))
        case "uniform":
            let low = value("low", 0, default: -0.05), high = value("high", 1, default: 0.05)
            guard low < high else { throw SpecError.at(path, "uniform needs low < high (got \(low), \(high))") }
            self = .uniform(low: low, high: high)
        case "glorot_uniform", "xavier_uniform": self = .glorotUniform
        case "glorot_normal", "xavier_normal": self = .glorotNormal
        case "he_uniform", "kaiming_uniform": self = .heUniform
        case "he_normal", "kaiming_normal": self = .heNormal
        case "lecun_normal": self = .lecunNormal
        default:
            throw SpecError.at(path, "unknown initializer '\(call.name)'\(suggestion(call.name, Self.names)); choose one of \(Self.names.joined(separator: ", "))")
        }
        if case let .normal(_, std) = self, std <= 0 { throw SpecError.at(path, "normal needs std > 0 (got \(std))") }
    }

    public static let names = ["zeros", "constant", "normal", "uniform", "glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "lecun_normal"]

    public var description: String {
        switch self {
        case .zeros: "zeros"
        case .constant(let v): "constant(\(v))"
        case let .normal(mean, std): "normal(mean=\(mean), std=\(std))"
        case let .uniform(low, high): "uniform(low=\(low), high=\(high))"
        case .glorotUniform: "glorot_uniform"
        case .glorotNormal: "glorot_normal"
        case .heUniform: "he_uniform"
        case .heNormal: "he_normal"
        case .lecunNormal: "lecun_normal"
        }
    }
}
