import Foundation
import PackagePlugin

/// Writes the target's `Assets/` files (the dashboard's HTML, script and style) into one Swift
/// file at build time, so every binary, static ones included, carries its pages: nothing is
/// looked up on disk or fetched when a page loads.
@main
struct AssetsPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let folder = context.package.directoryURL.appending(path: "Sources/\(target.name)/Assets")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted().map { folder.appending(path: $0) }
        let output = context.pluginWorkDirectoryURL.appending(path: "BuildAssets.swift")
        // Each file becomes a raw string literal: nothing in it is escaped or interpolated.
        let script = ######"""
            out="$1"; shift
            { printf 'extension Assets {\n    /// The files of Assets/, by name.\n    static let files: [String: String] = [\n'
              for f in "$@"; do printf '        "%s": #####"""\n' "$(basename "$f")"; cat "$f"; printf '\n"""#####,\n'; done
              printf '    ]\n}\n'; } > "$out"
            """######
        return [.buildCommand(displayName: "Dashboard assets", executable: URL(fileURLWithPath: "/bin/sh"),
                              arguments: ["-c", script, "sh", output.path] + files.map(\.path), inputFiles: files, outputFiles: [output])]
    }
}
