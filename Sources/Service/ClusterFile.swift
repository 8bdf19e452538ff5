import Config
import Wire

/// A cluster connection file: where the coordinator's endpoints are and its public key, so that
/// joining a cluster is one flag (`worker --cluster FILE`, `sweep … --cluster FILE`).
///
/// ```yaml
/// workers: tcp://coordinator.example:5555
/// clients: tcp://coordinator.example:5556
/// server_key: "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"
/// ```
public struct ClusterFile: Equatable, Sendable {
    public var workers: String
    public var clients: String
    public var serverKey: String?

    public static let keys = ["workers", "clients", "server_key"]

    public init(workers: String, clients: String, serverKey: String?) {
        self.workers = workers
        self.clients = clients
        self.serverKey = serverKey
    }

    public init(path: String) throws {
        let f = Fields()
        let o = f.object(try Config.load(path: path), "", known: Self.keys)
        workers = f.string(o, "workers", "", default: "")
        clients = f.string(o, "clients", "", default: "")
        let key = f.string(o, "server_key", "", default: "")
        serverKey = key.isEmpty ? nil : key
        if workers.isEmpty { f.fail("workers", "is required: the coordinator's worker endpoint (tcp://HOST:5555)") }
        if clients.isEmpty { f.fail("clients", "is required: the coordinator's client endpoint (tcp://HOST:5556)") }
        if let serverKey, Z85.decode(serverKey)?.count != 32 { f.fail("server_key", "must be the coordinator's public key, 40 characters of Z85 (got \(serverKey.prefix(50)))") }
        do { try f.check() } catch let error as SpecError {
            throw SecurityError("\(path) has \(error.problems.count) problem(s):\n" + error.problems.map { "  \($0)" }.joined(separator: "\n"))
        }
    }

    public var text: String {
        """
        # A Sweep cluster: pass this file with --cluster to workers and to the sweep CLI.
        workers: \(workers)
        clients: \(clients)
        \(serverKey.map { "server_key: \"\($0)\"" } ?? "# no server_key: this coordinator runs --insecure (loopback only)")

        """
    }
}
