import ArgumentParser
import Foundation
import RaftAnalyze
import RaftTrace
import RaftTraceSim

/// `raftlab bench analyze`: analysis throughput on a generated multi-million-event trace.
struct BenchAnalyzeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Events per second and peak memory of `raftlab analyze` on a generated trace.",
        discussion: """
        Simulates a 5-node cluster (seeded, with kills and restarts, messages traced) until
        --events events are written to a run directory, then analyses its merged trace on one
        thread and prints events/s and the process's peak RSS. Reuses the directory when it
        already holds a trace (so a second run measures the analysis alone). Build with -c release.

        Example:
          swift run -c release raftlab bench analyze --events 5000000 --directory /tmp/bench-run
        """
    )

    @Option(help: "Events to generate.") var events = 5_000_000
    @Option(help: "Run directory to write (or reuse).") var directory = NSTemporaryDirectory() + "raftlab-bench-analyze"
    @Option(help: "Seed of the simulated run.") var seed: UInt64 = 42
    @Option(help: "Closed-loop clients of the simulated run.") var clients = 32
    @Option(name: .customLong("kill-interval-ms"), help: "Mean simulated time between kills (0: none).") var killIntervalMs = 2_000

    func validate() throws {
        guard events >= 10_000 else { throw ValidationError("--events must be at least 10000") }
        guard clients >= 1, killIntervalMs >= 0 else { throw ValidationError("--clients must be positive and --kill-interval-ms not negative") }
    }

    func run() throws {
        let layout = RunLayout(directory: directory)
        let clock = ContinuousClock()
        if !FileManager.default.fileExists(atPath: layout.mergedTracePath) {
            var configuration = SimulatedTraceRun.Configuration(nodeCount: 5, seed: seed, clients: clients, durationUs: 3_600_000_000,
                                                                eventsMax: events, killIntervalUs: killIntervalMs > 0 ? Int64(killIntervalMs) * 1_000 : nil)
            configuration.tracesMessages = true
            var summary: SimulatedTraceRun.Summary?
            let generation = try clock.measure { summary = try SimulatedTraceRun(configuration: configuration).write(to: directory) }
            print("generated \(summary!.eventCount) events (\(summary!.killCount) kills, \(summary!.acknowledgedCount) requests ok) in \(String(format: "%.1f", generation.secondsValue)) s → \(directory)")
        } else {
            print("reusing \(layout.mergedTracePath)")
        }
        let fileBytes = (try? FileManager.default.attributesOfItem(atPath: layout.mergedTracePath)[.size] as? Int) ?? 0
        let rssBeforeKiB = Self.peakRSSKiB()
        var report: AnalysisReport?
        let analysis = try clock.measure { report = try Analysis.run(AnalysisInputs(paths: [layout.mergedTracePath])) }
        let seconds = analysis.secondsValue
        print("analysed \(report!.eventCount) events (\(fileBytes / 1024) KiB gzip) in \(String(format: "%.2f", seconds)) s: "
              + String(format: "%.2fM events/s", Double(report!.eventCount) / seconds / 1e6))
        print("peak RSS: \(Self.peakRSSKiB() / 1024) MiB (before the analysis: \(rssBeforeKiB / 1024) MiB)")
        print("safety: \(report!.isSafe ? "all checks hold" : "VIOLATED")")
    }

    /// The process's peak resident set size, in KiB.
    static func peakRSSKiB() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss
    }
}

extension Duration {
    /// The duration in seconds.
    fileprivate var secondsValue: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
