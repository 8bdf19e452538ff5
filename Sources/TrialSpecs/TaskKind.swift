/// What a trial learns: it picks the output layer and the loss.
public enum TaskKind: String, Codable, Sendable, CaseIterable {
    /// Softmax over classes.
    case classification
    /// One sigmoid output for two classes.
    case binary
    /// Linear outputs, mean squared error.
    case regression
}
