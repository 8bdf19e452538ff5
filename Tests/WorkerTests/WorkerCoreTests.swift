import Foundation
import Testing
import Config
import Protocol
@testable import Worker

/// A worker core and the coordinator's side of the conversation, by hand.
struct Conversation {
    let core = WorkerCore(identity: .init(name: "w1", bootID: "w1/boot", host: "h", cores: 2, threads: 1))
    var counter = 0

    mutating func message<B: MessageBody>(_ type: MessageType, _ body: B, re: String? = nil) -> Envelope {
        counter += 1
        return Envelope(type, id: "c\(counter)", re: re, body: body)
    }

    mutating func welcome(session: String = "s1", stop: [Body.Running] = [], now: Double) -> [WorkerCore.Effect] {
        core.receive(message(.welcome, Body.Welcome(proto: 1, session: session, heartbeatMS: 1000, liveness: 3, leaseGraceMS: 10_000,
                                                    adopt: [], stop: stop)), now: now)
    }

    mutating func assign(_ trial: Int = 7, attempt: Int = 1, now: Double) -> [WorkerCore.Effect] {
        core.receive(message(.assign, Body.Assign(trial: trial, attempt: attempt, study: "s-000001", kind: .builtin, seed: 3, metric: "validation_loss",
                                                  config: .object([:]), number: 0)), now: now)
    }
}

/// The messages among the effects, by type.
func sent(_ effects: [WorkerCore.Effect]) -> [Envelope] {
    effects.compactMap { if case let .send(message) = $0 { message } else { nil } }
}

func types(_ effects: [WorkerCore.Effect]) -> [MessageType] { sent(effects).map(\.header.type) }

func stops(_ effects: [WorkerCore.Effect]) -> [Int] {
    effects.compactMap { if case let .stop(trial, _) = $0 { trial } else { nil } }
}

@Suite("Worker core")
struct WorkerCoreTests {
    @Test("it says HELLO, takes the coordinator's heartbeat from WELCOME, and says HELLO again to a silent coordinator, backing off")
    func welcome() throws {
        var c = Conversation()
        let hello = try sent(c.core.hello(now: 0))[0].decode(Body.Hello.self)
        #expect(hello.worker == "w1" && hello.bootID == "w1/boot" && hello.running.isEmpty)
        #expect(!types(c.core.tick(now: 0.5)).contains(.hello), "no answer yet, but not a second later")
        #expect(types(c.core.tick(now: 1.0)).contains(.hello), "no WELCOME after 1 s: HELLO again")
        #expect(!types(c.core.tick(now: 2.5)).contains(.hello), "then after 2 s, not 1.5")
        #expect(types(c.core.tick(now: 3.0)).contains(.hello))
        _ = c.welcome(now: 3.1)
        #expect(c.core.session == "s1")
        #expect(types(c.core.tick(now: 4.2)) == [.heartbeat], "a heartbeat each second, as WELCOME said")
        #expect(!types(c.core.tick(now: 6.0)).contains(.hello), "silent for 2.9 s: within liveness (3 × 1 s)")
        #expect(types(c.core.tick(now: 6.2)).contains(.hello), "silent past liveness: HELLO again")
    }

    @Test("an ASSIGN is accepted and started; a repeat of it is ignored; another while busy is rejected")
    func assignment() throws {
        var c = Conversation()
        _ = c.welcome(now: 0)
        let first = c.assign(now: 1)
        #expect(types(first) == [.accept] && first.contains(where: { if case .start = $0 { true } else { false } }))
        #expect(c.assign(now: 2).isEmpty, "the coordinator repeats an ASSIGN it is unsure arrived: nothing new")
        let other = c.assign(8, now: 3)
        #expect(try types(other) == [.reject] && sent(other)[0].decode(Body.Reject.self).trial == 8)
        #expect(c.core.trial?.id == 7)
        let hello = try sent(c.core.hello(now: 4))[0].decode(Body.Hello.self)
        #expect(hello.running == [Body.Running(trial: 7, attempt: 1, lastSeq: 0)], "HELLO names the running trial so a restarted coordinator adopts it")
    }

    @Test("reports are kept until their ACK: resent when overdue and after every WELCOME, and never after the ACK")
    func reports() throws {
        var c = Conversation()
        _ = c.welcome(now: 0)
        _ = c.assign(now: 0)
        let m1 = try #require(sent(c.core.report(epoch: 1, metrics: ["validation_loss": 0.5], now: 1)).first)
        let m2 = try #require(sent(c.core.report(epoch: 2, metrics: ["validation_loss": .nan], now: 1.5)).first)
        #expect(try m2.decode(Body.Metric.self).seq == 2 && m2.decode(Body.Metric.self).metrics["validation_loss"]!.isNaN)
        _ = c.core.receive(c.message(.ack, Body.Ack(trial: 7, attempt: 1, seq: 2)), now: 2)
        #expect(sent(c.core.tick(now: 2.5)).filter { $0.header.type == .metric }.isEmpty, "not overdue yet")
        let overdue = sent(c.core.tick(now: 3.1)).filter { $0.header.type == .metric }
        #expect(overdue.map(\.header.id) == [m1.header.id], "only the unacknowledged one, after two heartbeats")
        // The coordinator restarted: it says WELCOME again; what it has not acknowledged is replayed.
        let done = try #require(sent(c.core.finish(.completed, metrics: ["validation_loss": 0.4], error: nil, now: 4)).first)
        #expect(try done.decode(Body.Done.self).seq == 3 && c.core.trial == nil)
        let replay = sent(c.welcome(session: "s2", now: 5))
        #expect(replay.map(\.header.id) == [m1.header.id, done.header.id])
        let hello = try sent(c.core.hello(now: 5))[0].decode(Body.Hello.self)
        #expect(hello.running == [Body.Running(trial: 7, attempt: 1, lastSeq: 3)], "a finished trial with reports in flight is still named")
        for seq in [1, 3] { _ = c.core.receive(c.message(.ack, Body.Ack(trial: 7, attempt: 1, seq: seq)), now: 6) }
        #expect(c.core.outbox.entries.isEmpty && sent(c.welcome(session: "s3", now: 7)).isEmpty)
    }

    @Test("silent past the lease grace, it stops the trial, forgets its reports and sends no DONE")
    func leaseLoss() throws {
        var c = Conversation()
        _ = c.welcome(now: 0)
        _ = c.assign(now: 0)
        _ = c.core.report(epoch: 1, metrics: ["validation_loss": 0.5], now: 1)
        #expect(stops(c.core.tick(now: 9.9)).isEmpty)
        #expect(stops(c.core.tick(now: 10.1)) == [7], "the coordinator runs it elsewhere by now")
        #expect(c.core.abandoned && c.core.outbox.entries.isEmpty)
        #expect(c.core.report(epoch: 2, metrics: ["validation_loss": 0.4], now: 10.2).isEmpty)
        #expect(c.core.finish(.stopped, metrics: [:], error: nil, now: 10.3).isEmpty, "losing a trial is not a result")
        #expect(c.core.trial == nil)
        #expect(types(c.assign(9, now: 11)) == [.accept], "free for the next one")
    }

    @Test("a DECISION to stop (or a STOP) stops the running attempt; it ends with DONE stopped; decisions for other attempts do nothing")
    func stopDecision() throws {
        var c = Conversation()
        _ = c.welcome(now: 0)
        _ = c.assign(now: 0)
        _ = c.core.report(epoch: 1, metrics: ["validation_loss": 0.9], now: 1)
        #expect(c.core.receive(c.message(.decision, Body.Decision(trial: 7, attempt: 1, epoch: 1, continue: true)), now: 1).isEmpty)
        #expect(stops(c.core.receive(c.message(.decision, Body.Decision(trial: 7, attempt: 2, epoch: 1, continue: false)), now: 1)).isEmpty)
        #expect(stops(c.core.receive(c.message(.stop, Body.Stop(trial: 6, attempt: 1, reason: .cancelled)), now: 1)).isEmpty)
        let decision = Body.Decision(trial: 7, attempt: 1, epoch: 1, continue: false, reason: Body.Reason(rule: .asha, detail: "ranked 3 of 3"))
        #expect(stops(c.core.receive(c.message(.decision, decision), now: 1)) == [7])
        let done = try sent(c.core.finish(.stopped, metrics: ["validation_loss": 0.9], error: nil, now: 2))[0].decode(Body.Done.self)
        #expect(done.status == .stopped && done.seq == 2)
    }

    @Test("leaving stops the trial first, which then sends no DONE, and BYE follows")
    func bye() throws {
        var c = Conversation()
        _ = c.welcome(now: 0)
        _ = c.assign(now: 0)
        let leaving = c.core.leave()
        #expect(types(leaving).isEmpty && stops(leaving) == [7])
        #expect(c.core.finish(.stopped, metrics: [:], error: nil, now: 1).isEmpty)
        #expect(types(c.core.farewell()) == [.bye])
    }

    @Test("WELCOME's stop list and a stale_attempt error drop that trial; unknown_peer brings one HELLO a second")
    func superseded() throws {
        var c = Conversation()
        _ = c.welcome(now: 0)
        _ = c.assign(now: 0)
        let metric = try #require(sent(c.core.report(epoch: 1, metrics: ["validation_loss": 0.5], now: 1)).first)
        let stale = ProtocolError(.staleAttempt, "attempt 1 of trial 7 was superseded by attempt 2", re: metric.header.id)
        #expect(stops(c.core.receive(stale.reply(id: "c99"), now: 2)) == [7])
        #expect(c.core.abandoned && c.core.outbox.entries.isEmpty)
        _ = c.core.finish(.stopped, metrics: [:], error: nil, now: 2)
        _ = c.assign(8, now: 3)
        #expect(stops(c.welcome(session: "s2", stop: [Body.Running(trial: 8, attempt: 1, lastSeq: 0)], now: 4)) == [8])
        let unknown = ProtocolError(.unknownPeer, "send HELLO first")
        #expect(types(c.core.receive(unknown.reply(id: "c100"), now: 10)) == [.hello])
        #expect(types(c.core.receive(unknown.reply(id: "c101"), now: 10.5)).isEmpty, "one HELLO a second, however many errors")
        #expect(c.core.receive(c.message(.ack, Body.Empty()), now: 11).isEmpty, "a body it cannot read is dropped")
    }

    @Test("a trial's output goes out as LOG each tick and before its DONE; an abandoned trial's does not")
    func output() throws {
        var c = Conversation()
        _ = c.welcome(now: 0)
        _ = c.assign(now: 0)
        #expect(c.core.output(.stdout, "loading data").isEmpty, "batched until the next tick")
        _ = c.core.output(.stderr, String(repeating: "x", count: 5000))
        let log = try #require(sent(c.core.tick(now: 0.5)).first { $0.header.type == .log })
        let body = try log.decode(Body.Log.self)
        #expect(body.trial == 7 && body.lines.map(\.stream) == [.stdout, .stderr])
        #expect(body.lines[1].text.count < 2100, "a long line is cut")
        #expect(!types(c.core.tick(now: 1.0)).contains(.log), "nothing new, no LOG")
        _ = c.core.output(.stderr, "Traceback (most recent call last):")
        #expect(types(c.core.finish(.failed, metrics: [:], error: "exit status 1", now: 1.2)) == [.log, .done], "the traceback arrives before the DONE")
        _ = c.assign(8, now: 2)
        _ = c.core.output(.stdout, "lost")
        _ = c.core.tick(now: 20)  // the lease is lost: the trial is dropped
        #expect(!types(c.core.tick(now: 20.5)).contains(.log))
    }
}
