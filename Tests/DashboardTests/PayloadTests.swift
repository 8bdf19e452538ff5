import Foundation
import Testing
import Config
import Protocol
import Search
import TrialSpecs
@testable import Dashboard

/// A coordinator answered from memory: each WATCH gets the next scripted stream.
final class FakeLink: Link, @unchecked Sendable {
    private let lock = NSLock()
    private var streams: [[Body.Trials]]
    private(set) var watches = 0

    init(_ streams: [[Body.Trials]]) { self.streams = streams }

    func request<B: MessageBody, R: MessageBody>(_ type: MessageType, _ body: B, reply: R.Type) async throws -> R {
        throw LinkError(code: .unknownStudy, "no such study")
    }

    func watch(_ study: String) async throws -> AsyncThrowingStream<Body.Trials, Error> {
        let next: [Body.Trials]? = lock.withLock {
            watches += 1
            return streams.isEmpty ? nil : streams.removeFirst()
        }
        guard let next else { throw LinkError(code: .unknownStudy, "unknown_study: \(study)") }
        return AsyncThrowingStream { continuation in
            for trials in next { continuation.yield(trials) }
            // Stays open, as a live connection does, until the mirror stops reading.
        }
    }
}

func status(_ state: StudyState = .running, trials: Int) -> Body.StudyStatus {
    Body.StudyStatus(study: "s-000001", name: "t", state: state, trials: trials, queued: 0, running: 1, completed: 0, pruned: 0, failed: 0,
                     best: nil, objective: nil, test: nil, budget: 10, metric: "loss")
}

func row(_ n: Int, _ state: TrialState = .running, values: [Double] = [], lr: Double = 0.01) -> Body.TrialRow {
    Body.TrialRow(trial: n, status: state, value: state == .completed ? values.last : nil, epochs: Array(1...max(1, values.count)).prefix(values.count).map { $0 },
                  values: values, params: .object(["optimizer.lr": .number(lr), "optimizer.name": .string("adam")]), worker: "w1",
                  started: 100, ended: nil, attempt: 1, origin: .suggested, reason: nil)
}

let spec = try! Config.parse(yaml: """
    {study: t, trial: {data: {dataset: moons}}, objective: {metric: loss},
     space: {optimizer.lr: {low: 0.001, high: 0.1, log: true}, optimizer.name: {type: choice, values: [adam, sgd]}}, budget: {max_trials: 10}}
    """, source: "test")

@Suite("Dashboard data")
struct PayloadTests {
    @Test("a trial row is one array: NaN becomes null, the params follow the axes, and < cannot close the report's script")
    func rowShape() throws {
        var r = row(3, .diverged, values: [0.5, .nan])
        r = Body.TrialRow(trial: r.trial, status: r.status, value: r.value, epochs: r.epochs, values: r.values, params: r.params, worker: "</script><b>",
                          started: 100, ended: 101.5, attempt: 2, origin: .enqueued, reason: "divergence: loss is nan")
        let axes = [Axis(name: "optimizer.name", scale: .choice, low: nil, high: nil, choices: [.string("adam"), .string("sgd")]),
                    Axis(name: "optimizer.lr", scale: .log, low: 0.001, high: 0.1, choices: [])]
        var json = JSONText()
        Payload.row(r, axes: axes, base: 90, into: &json)
        let diverged = try #require(Payload.states.firstIndex(of: .diverged)), enqueued = try #require(Payload.origins.firstIndex(of: .enqueued))
        #expect(json.text == #"[3,\#(diverged),null,["adam",0.01],2,[0.5,null],"\u003c/script>\u003cb>",10,11.5,2,\#(enqueued),"divergence: loss is nan",null,null]"#)
        let parsed = try JSONSerialization.jsonObject(with: Data(json.text.utf8)) as? [Any]
        #expect(parsed?.count == 14)
    }

    @Test("with several objectives and constraints a row ends with each objective's value and whether it is feasible")
    func objectivesAndFeasibility() throws {
        let base = row(4, .completed, values: [0.3])
        let r = Body.TrialRow(trial: 4, status: .completed, value: 0.3, epochs: [1], values: [0.3], params: base.params, worker: nil, started: nil, ended: nil,
                              attempt: 1, origin: .suggested, reason: nil, objectives: [0.3, nil, 12000], feasible: false, violations: [0.5])
        var json = JSONText()
        Payload.row(r, axes: [], base: 0, into: &json)
        #expect(json.text.hasSuffix(#",null,[0.3,null,12000],0]"#), "\(json.text)")
        let page = Payload.study(status: status(trials: 1), spec: spec, objectives: [Objective("loss", .minimize), Objective("parameters", .minimize)],
                                 axes: [], base: 0, seq: 1, rows: [r])
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(page.utf8)) as? [String: Any])
        let objectives = try #require(parsed["objectives"] as? [[String: String]])
        #expect(objectives == [["metric": "loss", "direction": "minimize"], ["metric": "parameters", "direction": "minimize"]])
        #expect(parsed["direction"] as? String == "minimize")
        // An exported trial reads back the same: values and violations as the store wrote them.
        let exported = try Config.parse(json: #"{"trial": 4, "status": "completed", "value": 0.3, "values": [0.3, null, 12000], "violations": [0.5], "feasible": false, "config": {}}"#, source: "t")
        let back = try #require(Report.row(exported, metric: "loss"))
        #expect(back.objectives == [0.3, nil, 12000] && back.feasible == false && back.violations == [0.5])
    }

    @Test("the codes shrink a row without losing what the page shows: epochs not 1…k stay a list, curves keep 6 digits, times the millisecond")
    func compact() throws {
        let r = Body.TrialRow(trial: 0, status: .completed, value: 1.0094284835332028, epochs: [2, 4], values: [1.8094284835332028, -0.000123456789],
                              params: .object(["x": .number(0.1915917353398885)]), worker: nil, started: 1796199980.0401926, ended: 1796199983.2,
                              attempt: 1, origin: .suggested, reason: nil)
        var json = JSONText()
        Payload.row(r, axes: [Axis(name: "x", scale: .linear, low: 0, high: 1, choices: [])], base: 1796199980, into: &json)
        #expect(json.text.contains(#",1.0094284835332028,[0.1915917353398885],[2,4],[1.80943,-0.000123457],null,0.04,3.2,1,"#),
                "the objective and parameters exact; \(json.text)")
        var codes = JSONText()
        Payload.codes(base: 1796199980, into: &codes)
        let decoded = try JSONSerialization.jsonObject(with: Data(codes.text.utf8)) as? [String: Any]
        #expect((decoded?["states"] as? [String]) == TrialState.allCases.map(\.rawValue))
        #expect((decoded?["origins"] as? [String]) == Origin.allCases.map(\.rawValue))
        var big = JSONText()
        big.number(123456789, significant: 6); big.raw(","); big.number(0, significant: 6); big.raw(","); big.number(.nan, significant: 6)
        #expect(big.text == "123457000,0,null")
    }

    @Test("the axes are the searched parameters with their scales; fixed ones are left out")
    func axes() throws {
        let space = SearchSpace([Parameter("a", .float(low: 1e-4, high: 1, log: true, step: nil)), Parameter("b", .int(low: 1, high: 8, log: false, step: 1)),
                                 Parameter("c", .choice([.string("x"), .bool(true)])), Parameter("d", .fixed(.number(3)))])
        #expect(Axis.of(space).map(\.name) == ["a", "b", "c"])
        #expect(Axis.of(space).map(\.scale) == [.log, .linear, .choice])
        #expect(Axis.of(space)[1].high == 8)
    }
}

@Suite("Dashboard mirror")
struct MirrorTests {
    @Test("a mirror takes the full reply, then replaces each pushed trial, and sends each page only the push")
    func merges() async throws {
        let link = FakeLink([[
            Body.Trials(study: "s-000001", seq: 0, full: true, trials: [row(0, values: [0.9]), row(1)], status: status(trials: 2), spec: spec),
        ]])
        #expect(throws: Never.self) { try StudySpec(config: spec, trials: TrialSpec.rules.keysOnly) }
        let mirror = Mirror(study: "s-000001", link: link)
        try await mirror.start()
        #expect(await mirror.rows.map(\.trial) == [0, 1])
        #expect(await mirror.axes.map(\.name) == ["optimizer.lr", "optimizer.name"])
        let page = await mirror.listen()
        var frames = page.makeAsyncIterator()
        #expect(await frames.next()?.hasPrefix("retry:") == true)
        await mirror.apply(Body.Trials(study: "s-000001", seq: 1, full: false, trials: [row(1, values: [0.7]), row(2)], status: status(trials: 3)))
        #expect(await mirror.rows.map(\.trial) == [0, 1, 2])
        #expect(await mirror.rows[1].values == [0.7])
        let frame = try #require(await frames.next())
        #expect(frame.hasPrefix("event: trials\ndata: {\"seq\":2,"))
        let running = try #require(Payload.states.firstIndex(of: .running))
        #expect(frame.contains("[1,\(running),null,[0.01,\"adam\"],1,[0.7]"))
        #expect(!frame.contains("[0,\(running),"), "the trial that did not change is not sent again")
        let whole = try JSONSerialization.jsonObject(with: Data(await mirror.payload().utf8)) as? [String: Any]
        #expect((whole?["trials"] as? [Any])?.count == 3 && whole?["seq"] as? Int == 2)
    }

    @Test("a lost push (a gap in seq) makes the mirror watch again and tell pages to reload")
    func gap() async throws {
        let first = Body.Trials(study: "s-000001", seq: 0, full: true, trials: [row(0)], status: status(trials: 1), spec: spec)
        let link = FakeLink([
            [first, Body.Trials(study: "s-000001", seq: 2, full: false, trials: [row(0, values: [0.5])], status: status(trials: 1))],
            [Body.Trials(study: "s-000001", seq: 0, full: true, trials: [row(0, values: [0.5]), row(1)], status: status(trials: 2), spec: spec)],
        ])
        let mirror = Mirror(study: "s-000001", link: link)
        try await mirror.start()
        let deadline = ContinuousClock.now + .seconds(10)
        while await mirror.rows.count < 2, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(await mirror.rows.count == 2, "the second full reply replaced the first")
        #expect(link.watches == 2)
    }

    @Test("an unknown study fails the page's request with the coordinator's error, and a later page tries again")
    func unknown() async throws {
        let mirror = Mirror(study: "s-000404", link: FakeLink([]))
        await #expect(throws: LinkError.self) { try await mirror.start() }
        await #expect(throws: LinkError.self) { try await mirror.start() }
        #expect(Problem(LinkError(code: .unknownStudy, "x")).status == .notFound)
        #expect(Problem(LinkError(code: nil, "lost")).status == .badGateway)
    }
}

@Suite("sweep report")
struct ReportTests {
    @Test("one file: the data, script and style inline, nothing to fetch, the study's name escaped in the title")
    func selfContained() throws {
        let trial: Config = .object([
            "trial": .number(0), "status": .string("pruned"), "attempt": .number(1), "value": .number(0.4), "worker": .string("w1"),
            "config": .object(["optimizer.lr": .number(0.01), "optimizer.name": .string("sgd")]), "origin": .string("suggested"),
            "started_at": .number(10), "ended_at": .number(12), "stop_reason": .object(["rule": .string("asha"), "detail": .string("rung 1")]),
            "metrics": .array([.object(["epoch": .number(1), "loss": .number(0.4), "train_loss": .number(0.3)])]),
        ])
        let exported = Body.Exported(study: "s-000001", name: "a<b", metric: "loss", direction: .minimize, test: nil,
                                     trials: [trial, .object(["trial": .number(-1), "final": .bool(true), "status": .string("queued")])], spec: spec)
        let html = try Report.html(exported: exported, status: status(.completed, trials: 1))
        #expect(html.contains("<title>a&lt;b (s-000001) — Sweep report</title>"))
        #expect(html.contains("window.SWEEP_REPORT = {study: {"))
        let pruned = try #require(Payload.states.firstIndex(of: .pruned)), suggested = try #require(Payload.origins.firstIndex(of: .suggested))
        #expect(html.contains(#"[0,\#(pruned),0.4,[0.01,"sgd"],1,[0.4],"w1",0,2,1,\#(suggested),"asha: rung 1",null,null]"#), "the objective's curve, not the other metrics")
        #expect(!html.contains("src=\"/assets") && !html.contains("href=\"/assets"), "no asset is loaded from anywhere")
        #expect(html.components(separatedBy: "</script>").count == 3, "two script elements, nothing in the data closes one")
    }
}
