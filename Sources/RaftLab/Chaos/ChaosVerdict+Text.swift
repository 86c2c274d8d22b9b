import Foundation
import RaftAnalyze

extension ChaosVerdict {
    /// Why the run is not safe, in a few words each (empty when it is).
    public var failureReasons: [String] {
        var reasons = safety.filter { !$0.holds }.map { "\($0.property) violated" }
        if writes.lost > 0 { reasons.append("\(writes.lost) acknowledged write\(writes.lost == 1 ? "" : "s") lost") }
        if writes.duplicates > 0 { reasons.append("\(writes.duplicates) duplicate\(writes.duplicates == 1 ? "" : "s")") }
        if writes.conflictingIndexes > 0 { reasons.append("\(writes.conflictingIndexes) index\(writes.conflictingIndexes == 1 ? "" : "es") delivered with different requests") }
        if !converged { reasons.append("did not converge") }
        return reasons
    }

    /// The verdict as the user reads it after a run.
    public var text: String {
        var lines: [String] = []
        lines.append("verdict: " + (isSafe ? "SAFE" : "UNSAFE (" + failureReasons.joined(separator: "; ") + ")"))
        lines.append("safety checks (raftlab analyze):")
        let width = safety.map(\.property.count).max() ?? 0
        for check in safety {
            let name = check.property.padding(toLength: width, withPad: " ", startingAt: 0)
            let summary = SafetyProperty(rawValue: check.property)?.summary ?? ""
            if check.holds {
                lines.append("  OK        \(name)  \(summary)")
            } else {
                lines.append("  VIOLATED  \(name)  \(check.violationCount) violation\(check.violationCount == 1 ? "" : "s"); first: \(check.violations.first?.message ?? "?")")
            }
            for note in check.notes { lines.append("            note: \(note)") }
        }
        lines.append("acknowledged writes lost: \(writes.lost) of \(writes.acknowledged) acknowledged"
                     + (writes.lostExamples.isEmpty ? "" : " (e.g. request@index \(writes.lostExamples.joined(separator: ", ")))")
                     + (writes.unconfirmed > 0 ? "; \(writes.unconfirmed) could not be confirmed" : ""))
        lines.append("duplicates: \(writes.duplicates) request\(writes.duplicates == 1 ? "" : "s") committed at two indexes"
                     + (writes.conflictingIndexes > 0 ? "; \(writes.conflictingIndexes) index(es) delivered with different requests" : ""))
        lines.append("requests: \(invoked) invoked, \(writes.acknowledged) ok, \(failed) failed, \(timedOut) timed out")
        lines.append(String(format: "availability: %.1f%% of %.1f s of chaos a leader could commit (%d elections, %.2f s without a leader)",
                            availability * 100, chaosSeconds, elections, leaderlessSeconds))
        if failovers.isEmpty { lines.append("failover: no fault struck a leader") }
        for failover in failovers { lines.append(Self.describe(failover)) }
        lines.append("throughput: " + Self.rate(faultThroughput, faultSeconds, "under faults") + ", " + Self.rate(calmThroughput, calmSeconds, "calm"))
        lines.append("faults: \(faultsInjected) of \(faultsPlanned) planned struck" + (faultsSkipped > 0 ? " (\(faultsSkipped) skipped: no leader to aim at)" : "")
                     + "; " + (converged ? String(format: "converged %.2f s after the final heal", convergeSeconds ?? 0) : "did NOT converge: \(convergeProblem ?? "?")"))
        for warning in warnings { lines.append("warning: \(warning)") }
        if !traceNotes.isEmpty {
            lines.append("trace notes: \(traceNotes.count) (a file cut by kill -9 is read up to the cut: expected after kills)"
                         + (traceNotes.count > Self.traceNotesShown ? "; the first \(Self.traceNotesShown):" : ":"))
            for note in traceNotes.prefix(Self.traceNotesShown) { lines.append("  \(note)") }
        }
        lines.append("run directory: \(runDirectory)")
        if let htmlReport { lines.append("HTML report: \(htmlReport)") }
        lines.append("timeline: raftlab analyze \(runDirectory) --timeline")
        lines.append("reproduce: \(reproduceCommand)")
        return lines.joined(separator: "\n") + "\n"
    }

    /// Trace notes printed in full (all are in `verdict.json`).
    static let traceNotesShown = 3

    static func describe(_ failover: FailoverSummary) -> String {
        var line = "failover after leader \(failover.action) (to the first commit under the next leader): "
        if failover.count > 0 {
            line += "\(failover.count) measured, p50 \(millis(failover.p50Ms)), p99 \(millis(failover.p99Ms)), max \(millis(failover.maxMs))"
        } else {
            line += "none measured"
        }
        if failover.unresolved > 0 { line += "; \(failover.unresolved) without a new leader committing before the next fault" }
        if failover.outlived > 0 { line += "; \(failover.outlived) outlived by the leader (no election)" }
        return line
    }

    static func millis(_ value: Double?) -> String {
        value.map { String(format: "%.0f ms", $0) } ?? "-"
    }

    static func rate(_ value: Double?, _ seconds: Double, _ label: String) -> String {
        guard let value else { return "no time \(label)" }
        return String(format: "%.0f ok/s ", value) + label + String(format: " (%.1f s)", seconds)
    }
}
