import Foundation
import Testing
import Config
import TrialSpecs
import Search
import Protocol
import Store
@testable import Coordinator

@Suite("Ask and tell")
struct AskTests {
    static let spec = """
        study: notebook
        objective: {metric: loss}
        runner: external
        space: {lr: {low: 0.001, high: 0.1, log: true}, width: {type: int, low: 16, high: 128}}
        strategy: {name: random}
        budget: {max_trials: 3, max_concurrent: 2}
        stopper: {name: median, warmup: 1, min_trials: 1}
        """

    func lab() throws -> Lab {
        var options = Coordinator.Options()
        options.askLease = 30
        let lab = try Lab(options: options)
        try lab.submit(Self.spec)
        return lab
    }

    func ask(_ lab: Lab, now: Double = 1) throws -> Body.Asked {
        try body(lab.ask(.ask, Body.Ask(study: "s-000002", worker: "nb"), now: now)[0], Body.Asked.self)
    }

    func report(_ lab: Lab, _ a: Body.Asked, seq: Int, loss: Double, now: Double = 2) throws -> Body.Decision {
        try body(lab.ask(.report, Body.Metric(trial: a.trial!, attempt: a.attempt!, seq: seq, epoch: seq, metrics: ["loss": loss]), now: now)[0],
                 Body.Decision.self)
    }

    @Test("a program asks for trials, reports epochs and hears the stopper, tells how each ended; workers never get them")
    func askReportTell() throws {
        let lab = try lab()
        #expect(try lab.hello("w1").map { lab.c.index[$0.trial]!.study } != "s-000002", "a worker gets the built-in study's trial, not the external one's")
        let a = try ask(lab), b = try ask(lab)
        #expect(a.number == 0 && b.number == 1 && a.attempt == 1 && a.leaseS == 30)
        #expect(a.config?[path: "lr"] != nil && a.config?[path: "width"] != nil && a.seed == lab.c.studies["s-000002"]!.engine.seed(0))
        #expect(try ask(lab).trial == nil, "max_concurrent 2: nothing more now")
        #expect(lab.c.studies["s-000002"]!.workers[0] == "nb")

        #expect(try report(lab, a, seq: 1, loss: 0.2).continue)
        _ = lab.ask(.tell, Body.Tell(trial: a.trial!, attempt: 1, status: .completed, metrics: ["loss": 0.2]))
        let worse = try report(lab, b, seq: 1, loss: 0.9)
        #expect(!worse.continue && worse.reason?.rule == .median, "the median rule stops the worse trial")
        _ = try lab.c.tick(now: 3)
        #expect(lab.c.leases[b.trial!] != nil, "a stopped trial's lease waits for its TELL across ticks")
        #expect(types(lab.ask(.tell, Body.Tell(trial: b.trial!, attempt: 1, status: .stopped))) == [.ok])
        let study = lab.c.studies["s-000002"]!
        #expect(study.trials.map(\.state) == [.completed, .pruned])

        let c = try ask(lab)
        _ = lab.ask(.tell, Body.Tell(trial: c.trial!, attempt: 1, status: .completed, metrics: ["loss": 0.1]))
        let over = try ask(lab)
        #expect(over.over && over.trial == nil && study.state == .completed, "no final retrain for external trials")
        #expect(try lab.error(.tell, Body.Tell(trial: c.trial!, attempt: 1, status: .completed)).code == .staleAttempt, "told once")
    }

    @Test("a silent asker's lease expires: the trial runs again for the next asker, and the old attempt is refused")
    func leaseExpires() throws {
        let lab = try lab()
        let a = try ask(lab)
        _ = try report(lab, a, seq: 1, loss: 0.5, now: 10)
        _ = lab.ask(.heartbeat, Body.Empty(), now: 35)
        _ = try lab.c.tick(now: 60)
        #expect(lab.c.studies["s-000002"]!.trials[0].state == .running, "a report and a heartbeat renewed it")
        _ = try lab.c.tick(now: 70)
        #expect(lab.c.studies["s-000002"]!.trials[0].state == .queued)
        let again = try ask(lab, now: 71)
        #expect(again.trial == a.trial && again.attempt == 2)
        #expect(try lab.error(.report, Body.Metric(trial: a.trial!, attempt: 1, seq: 2, epoch: 2, metrics: ["loss": 0.4])).code == .staleAttempt)
    }

    @Test("ask is refused for a study whose trials run on workers, and runner: external is checked at submit")
    func refused() throws {
        let lab = try lab()
        #expect(try lab.error(.ask, Body.Ask(study: "s-000001")).message.contains("runner: external"))
        let both = Self.spec.replacingOccurrences(of: "runner: external", with: "runner: external\ncommand: [train.py]")
        let refused = try body(lab.ask(.submit, Body.Submit(spec: Config.parse(yaml: both, source: "t")))[0], ProtocolError.Body.self)
        #expect(refused.problems?.contains { $0.path == "runner" } == true)
    }
}
