import Foundation

extension AnalysisReport {
    /// The report for people: inputs and warnings, one line per safety property (with the
    /// evidence of violations), then the statistics.
    public var text: String {
        var lines: [String] = []
        lines.append("raftlab analyze: \(eventCount) events from \(inputs.count) file\(inputs.count == 1 ? "" : "s"), "
                     + String(format: "%.3f s", durationSeconds)
                     + (run.map { " — run \($0.runID), nodes \($0.nodes.map(String.init).joined(separator: ",")), seed \($0.seed.map(String.init) ?? "-")" } ?? ""))
        for input in inputs { lines.append("  input \(input)") }
        if malformedLineCount > 0 { lines.append("  \(malformedLineCount) malformed line(s) skipped") }
        for (type, count) in unknownTypes.sorted(by: { $0.key < $1.key }) { lines.append("  \(count) line(s) of unknown type '\(type)' ignored") }
        for warning in warnings { lines.append("  warning: \(warning)") }
        if streamGapCount > 0 {
            lines.append("  \(streamGapCount) stream anomal\(streamGapCount == 1 ? "y" : "ies") (seq gaps):")
            for gap in streamGaps { lines.append("    \(gap)") }
        }

        lines.append("")
        lines.append("Safety")
        for check in safety {
            let verdict = check.holds ? "OK      " : "VIOLATED"
            let name = check.property.padding(toLength: 22, withPad: " ", startingAt: 0)
            let property = SafetyProperty(rawValue: check.property)
            lines.append("  \(verdict) \(name) \(check.holds ? property?.summary ?? "" : "\(check.violationCount) violation\(check.violationCount == 1 ? "" : "s")")")
            for violation in check.violations {
                lines.append("      - \(violation.message)")
                for evidence in violation.evidence { lines.append("          \(evidence)") }
            }
            if check.violationCount > check.violations.count {
                lines.append("      … and \(check.violationCount - check.violations.count) more")
            }
            for note in check.notes { lines.append("      note: \(note)") }
        }

        let stats = statistics
        lines.append("")
        lines.append("Statistics")
        lines.append("  nodes: " + nodes.map { "\($0.node) (\($0.events) events, \($0.incarnations) incarnation\($0.incarnations == 1 ? "" : "s")\($0.crashes > 0 ? ", \($0.crashes) ended without stop" : ""))" }.joined(separator: "; "))
        lines.append(String(format: "  throughput: %d entries committed, %.1f/s overall, %d/s at best (over 100 ms); %d ok (%.1f/s), %d failed, %d timed out",
                            stats.committedEntries, stats.commitsPerSecond, stats.commitsPerSecondMax,
                            stats.acknowledged, stats.acknowledgedPerSecond, stats.failed, stats.timedOut))
        lines.append(Self.latencyLine("client latency (invoke → ok)", stats.clientLatency))
        lines.append(Self.latencyLine("commit latency (propose → commit)", stats.commitLatency))
        lines.append(Self.latencyLine("fsync", stats.fsyncLatency))
        lines.append(Self.latencyLine("election time (no leader → leader)", stats.electionTime))
        lines.append(String(format: "  elections: %d (%d leader changes), %.3f s without a leader", stats.elections, stats.leaderChanges, stats.leaderlessSeconds))
        lines.append("  messages sent: " + stats.messagesText)
        // Most frequent first, ties by name: the same trace always prints the same line.
        let events = stats.eventsByType.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        lines.append("  events: " + events.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        lines.append("")
        lines.append(isSafe ? "All safety checks hold." : "SAFETY VIOLATED: \(safety.filter { !$0.holds }.map(\.property).joined(separator: ", ")).")
        return lines.joined(separator: "\n") + "\n"
    }

    static func latencyLine(_ name: String, _ summary: LatencySummary?) -> String {
        guard let summary else { return "  \(name): no samples" }
        return "  \(name): p50 \(duration(summary.p50Us)), p90 \(duration(summary.p90Us)), p99 \(duration(summary.p99Us)), "
            + "p99.9 \(duration(summary.p999Us)), max \(duration(summary.maxUs)) (\(summary.count) samples)"
    }

    /// `microseconds` in the unit that reads best.
    static func duration(_ microseconds: UInt64) -> String {
        if microseconds < 1_000 { return "\(microseconds) µs" }
        if microseconds < 1_000_000 { return String(format: "%.2f ms", Double(microseconds) / 1e3) }
        return String(format: "%.2f s", Double(microseconds) / 1e6)
    }
}

extension AnalysisReport.Statistics {
    /// Messages sent and per committed entry; without `send` events, says they were not traced.
    var messagesText: String {
        guard messagesSent > 0 else { return "not traced (start the nodes with --trace-messages to count them)" }
        return "\(messagesSent)" + (messagesPerCommit.map { String(format: " (%.1f per committed entry)", $0) } ?? "")
    }
}
