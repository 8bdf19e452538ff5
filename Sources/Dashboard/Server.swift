import Foundation
import Hummingbird
import Logging
import Config
import Protocol
import Search
import TrialSpecs

/// `sweep dashboard`: the pages, their data from the coordinator, and the pushes that keep them live.
public struct Server: Sendable {
    public let host: String
    public let port: Int
    public let access: Access
    let link: Link
    let logger: Logger

    public init(host: String, port: Int, access: Access, link: Link, logger: Logger) {
        self.host = host
        self.port = port
        self.access = access
        self.link = link
        self.logger = logger
    }

    public func run(onStart: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        let router = Router()
        let mirrors = Mirrors(link: link)
        let link = link
        router.middlewares.add(AccessMiddleware(access: access))
        router.get("/") { _, _ in Self.asset("index.html") }
        router.get("/study/:id") { _, _ in Self.asset("index.html") }
        router.get("/assets/:name") { _, context in Self.asset(try context.parameters.require("name")) }
        router.get("/api/studies") { _, _ in
            try await Self.answer {
                let studies = try await link.request(.status, Body.StudyRef(study: nil), reply: Body.StatusReply.self)
                let workers = try await link.request(.workers, Body.Empty(), reply: Body.WorkersReply.self)
                var json = JSONText()
                json.raw("{\"studies\":"); json.encoded(studies.studies)
                json.raw(",\"workers\":"); json.encoded(workers.workers)
                json.raw("}")
                return json.text
            }
        }
        router.get("/api/studies/:id") { _, context in
            let id = try context.parameters.require("id")
            return try await Self.answer { try await mirrors.started(id).payload() }
        }
        router.get("/api/studies/:id/events") { _, context in
            let id = try context.parameters.require("id")
            let mirror: Mirror
            do { mirror = try await mirrors.started(id) } catch { return Self.failed(error) }
            let events = await mirror.listen()
            return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-store"], body: ResponseBody { writer in
                for await frame in events { try await writer.write(ByteBuffer(string: frame)) }
                try await writer.finish(nil)
            })
        }
        router.get("/api/studies/:id/importance") { _, context in
            let id = try context.parameters.require("id")
            return try await Self.answer {
                let mirror = try await mirrors.started(id)
                guard let spec = await mirror.parsed else { throw Problem(status: .badGateway, "the coordinator sent no spec for \(id)") }
                return Insight.importance(await mirror.rows, spec: spec)
            }
        }
        router.get("/api/studies/:id/advice") { _, context in
            let id = try context.parameters.require("id")
            return try await Self.answer { try await mirrors.advice(id) }
        }
        router.get("/api/studies/:id/trials/:number") { _, context in
            let id = try context.parameters.require("id")
            let number = try context.parameters.require("number", as: Int.self)
            return try await Self.answer {
                let exported = try await link.request(.export, Body.Export(study: id, trials: [number]), reply: Body.Exported.self)
                guard let trial = exported.trials.first else { throw Problem(status: .notFound, "\(id) has no trial \(number)") }
                let logs = try? await link.request(.logs, Body.Logs(study: id, trial: number), reply: Body.LogsReply.self)
                var json = JSONText()
                json.raw("{\"trial\":"); json.value(trial)
                json.raw(",\"lines\":"); json.encoded(logs?.lines ?? [])
                json.raw("}")
                return json.text
            }
        }
        var quiet = logger
        quiet.logLevel = max(logger.logLevel, .notice)
        let app = Application(router: router, configuration: .init(address: .hostname(host, port: port), serverName: "sweep-dashboard"),
                              onServerRunning: { channel in onStart(channel.localAddress?.port ?? 0) }, logger: quiet)
        let keepAlive = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(15))
                await mirrors.keepAlive()
            }
        }
        defer { keepAlive.cancel() }
        // The command handles its signals (a page's open event stream would hold a graceful shutdown).
        try await app.runService(gracefulShutdownSignals: [])
    }

    static func asset(_ name: String) -> Response {
        guard let text = Assets.files[name] else { return Response(status: .notFound) }
        let type = switch name.split(separator: ".").last {
        case "js": "text/javascript; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        default: "text/html; charset=utf-8"
        }
        // Everything the page loads comes from here: the policy forbids any other origin.
        return Response(status: .ok, headers: [.contentType: type, .cacheControl: "no-cache",
                                               .contentSecurityPolicy: "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'"],
                        body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// JSON from `body`, or the error as `{"error": …}` with a status that says whose fault it is.
    static func answer(_ body: () async throws -> String) async throws -> Response {
        do {
            let text = try await body()
            return Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"], body: .init(byteBuffer: ByteBuffer(string: text)))
        } catch {
            return failed(error)
        }
    }

    static func failed(_ error: Error) -> Response {
        let problem = (error as? Problem) ?? Problem(error)
        var json = JSONText()
        json.raw("{\"error\":"); json.string(problem.message); json.raw("}")
        return Response(status: problem.status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: json.text)))
    }
}

/// What went wrong, as the page is told it.
public struct Problem: Error {
    let status: HTTPResponse.Status
    let message: String
    init(status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }
    /// A link's error: an unknown study is the page's fault (404), the rest the coordinator's side (502).
    init(_ error: Error) {
        let code = (error as? LinkError)?.code
        status = code == .unknownStudy ? .notFound : .badGateway
        message = "\(error)"
    }
}

/// A coordinator's ERROR reply, or a lost connection (no code).
public struct LinkError: Error, CustomStringConvertible {
    public let code: ProtocolError.Code?
    public let description: String
    public init(code: ProtocolError.Code?, _ description: String) {
        self.code = code
        self.description = description
    }
}

/// The studies being watched, one mirror each, started by the first page that opens one.
actor Mirrors {
    private let link: Link
    private var mirrors: [String: Mirror] = [:]
    init(link: Link) { self.link = link }

    func started(_ study: String) async throws -> Mirror {
        let mirror = mirrors[study] ?? Mirror(study: study, link: link)
        mirrors[study] = mirror
        do { try await mirror.start() } catch { mirrors[study] = nil; throw error }
        return mirror
    }

    func keepAlive() async {
        for mirror in mirrors.values { await mirror.keepAlive() }
    }

    /// The advisor's reading, from an export of every metric of every trial: on a large study
    /// that export is the coordinator's longest request, so one is shared by the pages that ask
    /// together and reused for a minute while the study runs, and for good once it has ended.
    private var readings: [String: (seq: Int, at: ContinuousClock.Instant, text: Task<String, Error>)] = [:]

    func advice(_ study: String) async throws -> String {
        let mirror = try await started(study)
        let seq = await mirror.seq, ended = await !(mirror.status?.state.isActive ?? true)
        if let cached = readings[study], cached.seq == seq || (!ended && ContinuousClock.now - cached.at < .seconds(60)) {
            return try await cached.text.value
        }
        let link = link
        let text = Task {
            let exported = try await link.request(.export, Body.Export(study: study), reply: Body.Exported.self)
            guard let config = exported.spec else { throw Problem(status: .badGateway, "the coordinator sent no spec for \(study)") }
            return Insight.advice(exported, spec: try StudySpec(config: config, trials: TrialSpec.rules.keysOnly))
        }
        readings[study] = (seq, .now, text)
        do { return try await text.value } catch { readings[study] = nil; throw error }
    }
}

/// Namespace for the files the AssetsPlugin writes in at build time.
enum Assets {}
