import Foundation
import Testing
import Wire

@Suite("Certificates and client security")
struct CertificateTests {
    let directory: String = {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("certs-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    @Test("a written certificate reads back; the secret file is 0600, the public one 0644 and has no secret")
    func roundTrip() throws {
        let pair = try CurveKeyPair.generate()
        let paths = try Certificate(pair).write(directory: directory, name: "w1")
        #expect(paths.map { ($0 as NSString).lastPathComponent } == ["w1.key", "w1.key_secret"])
        #expect(try Certificate(path: paths[1]).keyPair == pair)
        let shared = try Certificate(path: paths[0])
        #expect(shared.publicKey == pair.publicKey && shared.secretKey == nil)
        let modes = try paths.map { try FileManager.default.attributesOfItem(atPath: $0)[.posixPermissions] as? Int }
        #expect(modes == [0o644, 0o600])
        #expect(try Certificate.publicKeys(at: directory) == [pair.publicKey], "a directory lists its .key files")
    }

    @Test("a czmq/pyzmq certificate reads; broken ones are errors naming the file")
    func foreign() throws {
        let path = directory + "/py.key_secret"
        try """
            #   ****  Generated on 2026-11-28 10:00:00 by pyzmq  ****
            metadata
            curve
                public-key = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"
                secret-key = "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6"
            """.write(toFile: path, atomically: true, encoding: .utf8)
        let certificate = try Certificate(path: path)
        #expect(certificate.publicKey == "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7")
        #expect(try CurveKeyPair(secretKey: certificate.secretKey!).publicKey == certificate.publicKey)
        try "curve\n    public-key = \"short\"\n".write(toFile: directory + "/bad.key", atomically: true, encoding: .utf8)
        let error = #expect(throws: CertificateError.self) { try Certificate(path: directory + "/bad.key") }
        #expect(error?.path == directory + "/bad.key" && error?.problem.contains("Z85") == true)
        #expect(throws: CertificateError.self) { try Certificate(path: directory + "/missing.key") }
    }

    @Test("plain TCP is refused off loopback; CURVE needs a secret key and the server's key")
    func clientSecurity() throws {
        let lan = Endpoint.tcp(host: "10.0.0.5", port: 5555)
        #expect(throws: SecurityError.self) { try Security.client(insecure: true, key: nil, serverKey: nil, endpoint: lan, role: "worker") }
        if case .none = try Security.client(insecure: true, key: nil, serverKey: nil, endpoint: .tcp(host: "127.0.0.1", port: 5555), role: "worker") {} else {
            Issue.record("loopback may run without CURVE when asked")
        }
        #expect(throws: SecurityError.self) { try Security.client(insecure: false, key: nil, serverKey: nil, endpoint: lan, role: "worker") }
        let pair = try CurveKeyPair.generate(), server = try CurveKeyPair.generate()
        let paths = try Certificate(pair).write(directory: directory, name: "me")
        #expect(throws: SecurityError.self, "a public certificate cannot be --key") {
            try Security.client(insecure: false, key: paths[0], serverKey: server.publicKey, endpoint: lan, role: "worker")
        }
        guard case let .curve(mine, serverKey) = try Security.client(insecure: false, key: paths[1], serverKey: server.publicKey, endpoint: lan, role: "worker") else {
            Issue.record("expected CURVE")
            return
        }
        #expect(mine == pair && serverKey == server.publicKey)
    }
}
