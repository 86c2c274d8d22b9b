import Foundation

/// `raftlab chaos --runs N`: the same experiment with successive seeds, a summary table, and
/// for every run that failed its seed and the command that reproduces it.
public enum ChaosCampaign {
    /// One run of a campaign: its seed and verdict, or the error that ended it.
    public struct Entry: Sendable {
        /// The run's seed.
        public var seed: UInt64
        /// The verdict, when the run finished.
        public var verdict: ChaosVerdict?
        /// What ended the run, when it did not finish (no leader at the start, ...).
        public var error: String?
        /// The command line that repeats the run.
        public var reproduceCommand: String

        /// Whether the run finished and was safe.
        public var isSafe: Bool { verdict?.isSafe ?? false }
    }

    /// Runs `runs` experiments with seeds `options.seed`, `+1`, `+2`, …; stops early (after
    /// the current run) when `stop` fires. A run that throws is recorded, not rethrown.
    public static func run(_ options: ChaosOptions, runs: Int, executable: String = NodeProcessSet.currentExecutable(),
                           stop: StopSignal = StopSignal(), say: @escaping @Sendable (String) -> Void) async -> [Entry] {
        precondition(runs >= 1, "a campaign has at least one run")
        var entries: [Entry] = []
        for position in 0..<runs {
            var single = options
            single.seed = options.seed &+ UInt64(position)
            if runs > 1 { say("\n=== run \(position + 1) of \(runs), seed \(single.seed) ===") }
            let reproduce = single.reproduceCommand(seed: single.seed)
            do {
                let verdict = try await ChaosRun.run(single, executable: executable, stop: stop, say: say)
                say(String(verdict.text.dropLast()))
                entries.append(Entry(seed: single.seed, verdict: verdict, reproduceCommand: reproduce))
            } catch {
                say("run failed: \(error)")
                entries.append(Entry(seed: single.seed, error: "\(error)", reproduceCommand: reproduce))
            }
            if stop.hasFired { break }
        }
        return entries
    }

    /// The summary table, pooled figures, and the failing seeds with their commands.
    public static func summary(_ entries: [Entry]) -> String {
        var lines = ["run  seed                  verdict  lost  dup  avail   kill failover p50/p99/max (n)  ok/s faults/calm  run directory"]
        for (position, entry) in entries.enumerated() {
            let seed = String(entry.seed).padding(toLength: 20, withPad: " ", startingAt: 0)
            guard let verdict = entry.verdict else {
                lines.append(pad("\(position + 1)", 3) + "  " + seed + "  ERROR    " + (entry.error ?? "?"))
                continue
            }
            let failover = verdict.killFailover.map { "\(whole($0.p50Ms))/\(whole($0.p99Ms))/\(whole($0.maxMs)) (\($0.count))" } ?? "-"
            let rates = "\(whole(verdict.faultThroughput))/\(whole(verdict.calmThroughput))"
            lines.append(pad("\(position + 1)", 3) + "  " + seed + "  " + (verdict.isSafe ? "SAFE   " : "UNSAFE ") + "  "
                         + pad("\(verdict.writes.lost)", 4) + "  " + pad("\(verdict.writes.duplicates)", 3) + "  "
                         + pad(String(format: "%.1f%%", verdict.availability * 100), 6) + "  "
                         + failover.padding(toLength: 29, withPad: " ", startingAt: 0) + "  "
                         + rates.padding(toLength: 16, withPad: " ", startingAt: 0) + "  " + verdict.runID)
        }
        let verdicts = entries.compactMap(\.verdict)
        let kills = verdicts.flatMap { $0.killFailover?.samplesMs ?? [] }
        if !kills.isEmpty {
            let pooled = FailoverSummary(action: "kill", samplesMs: kills, unresolved: 0, outlived: 0)
            lines.append("leader kills, all runs: \(kills.count) failovers, p50 \(whole(pooled.p50Ms)) ms, p99 \(whole(pooled.p99Ms)) ms, max \(whole(pooled.maxMs)) ms")
        }
        if !verdicts.isEmpty {
            let availabilities = verdicts.map(\.availability)
            lines.append(String(format: "availability: mean %.1f%%, lowest %.1f%%", availabilities.reduce(0, +) / Double(availabilities.count) * 100,
                                (availabilities.min() ?? 0) * 100))
        }
        let failing = entries.filter { !$0.isSafe }
        if failing.isEmpty {
            lines.append("all \(entries.count) run\(entries.count == 1 ? "" : "s") safe")
        } else {
            lines.append("\(failing.count) of \(entries.count) run\(entries.count == 1 ? "" : "s") failed; reproduce with:")
            for entry in failing {
                let why = entry.verdict.map { $0.failureReasons.joined(separator: "; ") } ?? entry.error ?? "?"
                lines.append("  seed \(entry.seed) (\(why)):")
                lines.append("    \(entry.reproduceCommand)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func whole(_ value: Double?) -> String { value.map { String(format: "%.0f", $0) } ?? "-" }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
    }
}
