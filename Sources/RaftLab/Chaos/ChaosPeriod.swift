import Foundation
import RaftTrace

/// The chaos period of one run: strikes and heals on the schedule's clock, prints each as it
/// lands (seconds since the period began), keeps the status line alive in between, and
/// ends with every fault undone.
struct ChaosPeriod {
    let options: ChaosOptions
    let schedule: ChaosSchedule
    let injector: FaultInjector
    let launcher: ClusterLauncher
    let say: (String) -> Void
    /// When the period began and ended (the final heal), µs since the Unix epoch.
    private(set) var startUs: Int64 = 0
    private(set) var endUs: Int64 = 0
    /// Faults that struck, and faults skipped for want of a leader to aim at.
    private(set) var injected = 0
    private(set) var skipped = 0

    /// Longest wait between two checks of the stop signal.
    static let stopCheckMilliseconds: Int64 = 200

    init(options: ChaosOptions, schedule: ChaosSchedule, injector: FaultInjector, launcher: ClusterLauncher, say: @escaping (String) -> Void) {
        self.options = options
        self.schedule = schedule
        self.injector = injector
        self.launcher = launcher
        self.say = say
    }

    /// Runs the schedule until its end, `options.durationSeconds`, or `stop`; then heals
    /// everything.
    mutating func run(stop: StopSignal) async throws {
        let clock = ContinuousClock()
        let start = clock.now
        startUs = TraceClock.nowUs()
        var status = StatusTicker(launcher: launcher, shows: options.cluster.showsStatus)
        for step in schedule.steps {
            guard await wait(until: start + .milliseconds(Int64(step.atSeconds * 1000)), stop: stop, status: &status) else { break }
            if let struck = try await injector.inject(step) {
                injected += 1
                status.clear()
                say(line(struck.timestampUs, struck.text))
            } else {
                skipped += 1
                status.clear()
                say(line(TraceClock.nowUs(), "skipped \(step.summary(nodes: injector.nodes)): \(injector.skipReason)"))
                continue
            }
            let healAt = start + .milliseconds(Int64((step.atSeconds + step.healAfterSeconds) * 1000))
            _ = await wait(until: healAt, stop: stop, status: &status)
            if let healed = try await injector.healActive() {
                status.clear()
                say(line(healed.timestampUs, healed.text))
            }
        }
        _ = await wait(until: start + .milliseconds(Int64(options.durationSeconds * 1000)), stop: stop, status: &status)
        status.clear()
        if stop.hasFired { say("stopping early: \(await stop.wait())") }
        for healed in try await injector.healEverything() { say(line(healed.timestampUs, healed.text)) }
        endUs = TraceClock.nowUs()
    }

    /// Sleeps until `instant`, ticking the status line; false when `stop` fired first.
    private func wait(until instant: ContinuousClock.Instant, stop: StopSignal, status: inout StatusTicker) async -> Bool {
        let clock = ContinuousClock()
        while clock.now < instant {
            if stop.hasFired { return false }
            let nap = min(instant, clock.now + .milliseconds(Self.stopCheckMilliseconds))
            try? await Task.sleep(until: nap, clock: clock)
            await status.tickIfDue()
        }
        return !stop.hasFired
    }

    private func line(_ timestampUs: Int64, _ text: String) -> String {
        String(format: "%7.2f s  ", Double(timestampUs - startUs) / 1e6) + text
    }
}
