import Foundation
import Testing
import Service
import Wire

@Suite("Cluster files")
struct ClusterFileTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cluster-\(UUID().uuidString)").path

    init() throws { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }

    @Test("a cluster file gives endpoints and the server key; problems are reported with their keys")
    func clusterFile() throws {
        let pair = try CurveKeyPair.generate()
        let file = ClusterFile(workers: "tcp://coord:5555", clients: "tcp://coord:5556", serverKey: pair.publicKey)
        try file.text.write(toFile: directory + "/cluster.yaml", atomically: true, encoding: .utf8)
        #expect(try ClusterFile(path: directory + "/cluster.yaml") == file)
        try "workers: tcp://coord:5555\nserver_key: nope\nextra: 1\n".write(toFile: directory + "/bad.yaml", atomically: true, encoding: .utf8)
        let error = #expect(throws: SecurityError.self) { try ClusterFile(path: directory + "/bad.yaml") }
        for key in ["clients", "server_key", "extra"] { #expect(error?.description.contains(key) == true) }
    }
}
