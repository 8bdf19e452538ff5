import Foundation
import PackagePlugin

/// Writes the repository's VERSION file into the `Version` module at build time, so `--version`
/// says what the package is without a version literal in the code.
@main
struct VersionPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let version = context.package.directoryURL.appending(path: "VERSION")
        let output = context.pluginWorkDirectoryURL.appending(path: "BuildVersion.swift")
        let script = #"printf 'extension Build {\n    /// From the VERSION file at the package root.\n    public static let version = "%s"\n}\n' "$(tr -d ' \n' < "$1")" > "$2""#
        return [.buildCommand(displayName: "Version from VERSION", executable: URL(fileURLWithPath: "/bin/sh"),
                              arguments: ["-c", script, "sh", version.path, output.path], inputFiles: [version], outputFiles: [output])]
    }
}
