import Testing
import Telemetry

@Suite("Metrics")
struct MetersTests {
    @Test("gauges follow the levels, and a deleted study's trials read 0 instead of their last count")
    func levels() {
        let meters = Meters()
        var levels = Meters.Levels()
        levels.trials = ["s-000001": ["running": 2, "completed": 5]]
        levels.queued = ["s-000001": 3]
        levels.workers = ["busy": 2]
        meters.set(levels)
        let text = meters.text()
        #expect(text.contains(#"sweep_trials{study="s-000001",state="completed"} 5"#))
        #expect(text.contains(#"sweep_queue_depth{study="s-000001"} 3"#))
        #expect(text.contains(#"sweep_workers{state="busy"} 2"#))
        meters.set(Meters.Levels())
        let after = meters.text()
        #expect(after.contains(#"sweep_trials{study="s-000001",state="completed"} 0"#) && after.contains(#"sweep_queue_depth{study="s-000001"} 0"#))
    }
}
