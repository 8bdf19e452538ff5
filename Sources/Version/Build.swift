/// What this build is: `Build.version` comes from the VERSION file (VersionPlugin writes it).
public enum Build {
    /// `coordinator 0.4.0`: the line `--version` prints and a worker's HELLO sends.
    public static func line(_ program: String) -> String { "\(program) \(version)" }
}
