import Foundation
import Histogram
import RaftCore

/// `raftlab up` from start to summary, printing as it goes.
public enum UpRun {
    /// Runs the cluster `options` describes; `say` prints a line for the user.
    public static func run(_ options: UpOptions, say: (String) -> Void) async throws -> ClusterLauncher.Report {
        let launcher = try ClusterLauncher(options: options)
        say("run \(launcher.run.runID): \(options.nodes) nodes, seed \(options.seed), traces in \(launcher.run.layout.directory)")
        let stop = StopSignal()
        let signals = stop.fireOnSignals()
        defer { for source in signals { source.cancel() } }
        let started = ContinuousClock.now
        do {
            let leader = try await launcher.startCluster()
            say("leader: node \(leader) after \(Int((ContinuousClock.now - started).secondsDouble * 1000)) ms")
            try await launcher.startObservability(say: say)
            try launcher.startWorkload()
            if let mode = options.workloadMode { say("workload: \(mode)\(options.durationSeconds.map { " for \($0) s" } ?? ", Ctrl-C to stop")") }
        } catch {
            say("error: \(error); stopping the nodes (logs in \(launcher.run.logDirectory))")
            _ = try? await launcher.shutdown(startedAt: started)
            throw error
        }
        let workloadStart = ContinuousClock.now
        await launcher.runFor(seconds: options.durationSeconds, stop: stop)
        let workloadSeconds = (ContinuousClock.now - workloadStart).secondsDouble
        say("stopping: nodes get SIGTERM, traces are merged")
        let report = try await launcher.shutdown(startedAt: started)
        for warning in report.mergeWarnings { say("warning: \(warning)") }
        if let stats = report.stats { say(summary(stats, seconds: workloadSeconds)) }
        say("run directory: \(report.runDirectory)")
        say("merged trace:  \(report.mergedTrace)")
        say("analyze it:    raftlab analyze \(report.runDirectory)")
        return report
    }

    /// The workload's figures as a few lines.
    public static func summary(_ stats: Workload.Stats, seconds: Double) -> String {
        let latency = stats.latencyUs
        func ms(_ percentile: Double) -> String {
            String(format: "%.2f", Double(latency.valueAtPercentile(percentile)) / 1000)
        }
        return """
        requests: \(stats.invoked) invoked, \(stats.ok) ok, \(stats.failed) failed, \(stats.timedOut) timed out
        throughput: \(String(format: "%.0f", Double(stats.ok) / max(seconds, 0.001))) commits/s over \(String(format: "%.1f", seconds)) s
        latency (invoke to ok): p50 \(ms(50)) ms, p90 \(ms(90)) ms, p99 \(ms(99)) ms, max \(String(format: "%.2f", Double(latency.max) / 1000)) ms
        """
    }
}
