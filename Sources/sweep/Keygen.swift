import ArgumentParser
import Foundation
import Wire

/// `sweep keygen NAME`: a CURVE key pair in the czmq/pyzmq certificate format.
struct Keygen: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make a CURVE key pair: NAME.key (public, 0644) and NAME.key_secret (secret, 0600).",
        discussion: """
        The files are czmq/pyzmq certificates: pyzmq's zmq.auth.load_certificate reads them, and \
        zmq.auth.create_certificates makes files Sweep reads. Give the coordinator its secret \
        file (--key) and put each worker's and client's public file in the coordinator's \
        --workers-allow or --clients-allow directory.

        Examples:
          sweep keygen coordinator --dir /etc/sweep/keys
          sweep keygen worker-1 --dir keys/workers
        """)
    @Argument(help: "The name of the key files.") var name: String
    @Option(help: "The directory to write them in (created if missing).") var dir = "."
    @Flag(help: "Replace existing files.") var force = false

    func validate() throws {
        guard !name.isEmpty, !name.contains("/"), !name.hasPrefix(".") else {
            throw ValidationError("NAME must be a plain file name (got '\(name)'), e.g. worker-1")
        }
    }

    mutating func run() throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let secret = (dir as NSString).appendingPathComponent(name + ".key_secret")
        if FileManager.default.fileExists(atPath: secret), !force {
            throw Failure("\(secret) exists; keep it, or pass --force to replace it (whoever trusts its public key must then get the new one)")
        }
        let written = try Certificate(CurveKeyPair.generate()).write(directory: dir, name: name)
        for path in written { print(path) }
    }
}
