import Foundation

/// `--html FILE`: one self-contained page (inline CSS and SVG, no script, no external
/// asset): the safety verdicts with evidence, per-node lanes over time (role, term,
/// restarts, faults), throughput and latency per second, the client latency histogram and
/// the statistics.
public enum HTMLReport {
    static let width = 1_100.0
    static let laneHeight = 26.0
    static let marginLeft = 70.0

    /// The page for `report`.
    public static func render(_ report: AnalysisReport) -> String {
        var html = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>raftlab analyze</title>
        <style>
        body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #1d2330; }
        h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 28px; }
        table { border-collapse: collapse; } td, th { padding: 3px 10px; border-bottom: 1px solid #e3e6ec; text-align: left; vertical-align: top; }
        .ok { color: #1a7f37; font-weight: 600; } .bad { color: #cf222e; font-weight: 600; }
        code, .evidence { font: 12px ui-monospace, monospace; } .evidence { color: #57606a; white-space: pre-wrap; }
        .legend span { display: inline-block; margin-right: 14px; } .swatch { display: inline-block; width: 12px; height: 12px; vertical-align: middle; margin-right: 4px; }
        svg text { font: 11px system-ui, sans-serif; fill: #3b4252; }
        </style></head><body>
        <h1>raftlab analyze</h1>

        """
        html += "<p>\(report.eventCount) events, \(String(format: "%.3f", report.durationSeconds)) s"
        if let run = report.run { html += " — run <code>\(escape(run.runID))</code>, nodes \(run.nodes.map(String.init).joined(separator: ", ")), seed \(run.seed.map(String.init) ?? "–")" }
        html += "<br>" + report.inputs.map { "<code>\(escape($0))</code>" }.joined(separator: "<br>") + "</p>\n"
        if !report.warnings.isEmpty || report.malformedLineCount > 0 || report.streamGapCount > 0 {
            html += "<ul>" + report.warnings.map { "<li>warning: <code>\(escape($0))</code></li>" }.joined()
            if report.malformedLineCount > 0 { html += "<li>\(report.malformedLineCount) malformed lines skipped</li>" }
            html += report.streamGaps.map { "<li>stream gap: <code>\(escape($0))</code></li>" }.joined() + "</ul>\n"
        }
        html += safetySection(report)
        html += "<h2>Nodes over time</h2>\n" + lanes(report)
        if let series = report.series, !series.commits.isEmpty {
            let (columns, intervalUs) = columnsOf(series)
            let perSecond = 1e6 / Double(intervalUs)
            html += "<h2>Throughput (entries committed per second, per \(AnalysisReport.duration(UInt64(intervalUs))))</h2>\n"
                + bars(columns.map { Double($0.commits) * perSecond }, color: "#3b82f6", unit: "/s", intervalUs: intervalUs)
            html += "<h2>Client latency over time (mean and max per \(AnalysisReport.duration(UInt64(intervalUs))))</h2>\n"
                + latencyLines(columns, intervalUs: intervalUs)
        }
        if !report.clientLatencyHistogram.isEmpty {
            html += "<h2>Client latency histogram (invoke → ok)</h2>\n" + histogram(report.clientLatencyHistogram)
        }
        html += statisticsSection(report)
        html += "</body></html>\n"
        return html
    }

    private static func safetySection(_ report: AnalysisReport) -> String {
        var html = "<h2>Safety</h2>\n<table><tr><th>property</th><th>verdict</th><th>details</th></tr>\n"
        for check in report.safety {
            let verdict = check.holds ? "<span class=\"ok\">OK</span>" : "<span class=\"bad\">VIOLATED (\(check.violationCount))</span>"
            var details = check.holds ? escape(SafetyProperty(rawValue: check.property)?.summary ?? "") : ""
            for violation in check.violations {
                details += "<div>\(escape(violation.message))</div><div class=\"evidence\">"
                    + violation.evidence.map { escape("\($0)") }.joined(separator: "\n") + "</div>"
            }
            for note in check.notes { details += "<div><i>note: \(escape(note))</i></div>" }
            html += "<tr><td>\(escape(check.property))</td><td>\(verdict)</td><td>\(details)</td></tr>\n"
        }
        return html + "</table>\n"
    }

    private static let roleColors = ["follower": "#d0d7de", "precandidate": "#f5d76e", "candidate": "#f39c12", "leader": "#2ea043"]

    private static func lanes(_ report: AnalysisReport) -> String {
        guard let first = report.firstUs, let last = report.lastUs, !report.nodes.isEmpty else { return "<p>No node events.</p>\n" }
        let span = Double(max(1, last - first))
        let plot = width - marginLeft - 10
        let nodes = report.nodes.map(\.node)
        let height = Double(nodes.count) * laneHeight + 30
        func x(_ timestampUs: Int64) -> Double { marginLeft + Double(timestampUs - first) / span * plot }
        func y(_ node: Int) -> Double { Double(nodes.firstIndex(of: node) ?? 0) * laneHeight + 4 }
        var svg = "<svg width=\"\(Int(width))\" height=\"\(Int(height))\" xmlns=\"http://www.w3.org/2000/svg\">\n"
        for node in nodes { svg += "<text x=\"4\" y=\"\(y(node) + 15)\">node \(node)</text>\n" }
        for segment in report.lanes.segments where nodes.contains(segment.node) {
            let start = x(segment.startUs), end = max(start + 0.5, x(segment.endUs))
            svg += "<rect x=\"\(fmt(start))\" y=\"\(fmt(y(segment.node)))\" width=\"\(fmt(end - start))\" height=\"\(Int(laneHeight - 8))\" fill=\"\(roleColors[segment.role] ?? "#999")\">"
                + "<title>node \(segment.node): \(segment.role), term \(segment.term), \(seconds(segment.startUs - first))–\(seconds(segment.endUs - first))</title></rect>\n"
        }
        for mark in report.lanes.marks where nodes.contains(mark.node) {
            let position = x(mark.timestampUs)
            let color = mark.kind == "restart" || mark.kind == "stop" ? "#0969da" : "#cf222e"
            svg += "<line x1=\"\(fmt(position))\" x2=\"\(fmt(position))\" y1=\"\(fmt(y(mark.node) - 2))\" y2=\"\(fmt(y(mark.node) + laneHeight - 4))\" stroke=\"\(color)\" stroke-width=\"2\">"
                + "<title>node \(mark.node): \(escape(mark.kind)) at \(seconds(mark.timestampUs - first))</title></line>\n"
        }
        svg += axis(y: height - 22, span: span)
        svg += "</svg>\n"
        var legend = "<p class=\"legend\">"
        for role in ["follower", "precandidate", "candidate", "leader"] {
            legend += "<span><span class=\"swatch\" style=\"background:\(roleColors[role]!)\"></span>\(role)</span>"
        }
        legend += "<span><span class=\"swatch\" style=\"background:#cf222e\"></span>fault (kill, pause, partition)</span>"
        legend += "<span><span class=\"swatch\" style=\"background:#0969da\"></span>restart / stop</span>"
        if report.lanes.truncated { legend += "<span>(lanes truncated: too many role changes)</span>" }
        return svg + legend + "</p>\n"
    }

    /// The series regrouped into at most `columnsMax` columns.
    private static func columnsOf(_ series: PerSecondSeries) -> ([(commits: Int, latencyMeanUs: Double, latencyMaxUs: Int64)], Int64) {
        let group = max(1, (series.commits.count + columnsMax - 1) / columnsMax)
        var columns: [(commits: Int, latencyMeanUs: Double, latencyMaxUs: Int64)] = []
        for start in stride(from: 0, to: series.commits.count, by: group) {
            let range = start..<min(start + group, series.commits.count)
            var commits = 0, acknowledged = 0, latencySum = 0.0, latencyMax: Int64 = 0
            for position in range {
                commits += series.commits[position]
                acknowledged += series.acknowledgements[position]
                latencySum += series.latencyMeanUs[position] * Double(series.acknowledgements[position])
                latencyMax = max(latencyMax, series.latencyMaxUs[position])
            }
            columns.append((commits, acknowledged > 0 ? latencySum / Double(acknowledged) : 0, latencyMax))
        }
        return (columns, series.intervalUs * Int64(group))
    }

    static let columnsMax = 400

    private static func bars(_ values: [Double], color: String, unit: String, intervalUs: Int64) -> String {
        let height = 160.0, plot = width - marginLeft - 10
        let maximum = max(1, values.max() ?? 1)
        var svg = "<svg width=\"\(Int(width))\" height=\"\(Int(height + 24))\" xmlns=\"http://www.w3.org/2000/svg\">\n"
        svg += "<text x=\"4\" y=\"12\">\(Int(maximum))\(unit)</text><text x=\"4\" y=\"\(Int(height))\">0</text>\n"
        let barWidth = plot / Double(values.count)
        for (second, value) in values.enumerated() {
            let barHeight = value / maximum * (height - 10)
            svg += "<rect x=\"\(fmt(marginLeft + Double(second) * barWidth))\" y=\"\(fmt(height - barHeight))\" width=\"\(fmt(max(0.5, barWidth - 0.5)))\" height=\"\(fmt(barHeight))\" fill=\"\(color)\"><title>\(seconds(Int64(second) * intervalUs)): \(Int(value))\(unit)</title></rect>\n"
        }
        svg += axis(y: height + 4, span: Double(values.count) * Double(intervalUs))
        return svg + "</svg>\n"
    }

    private static func latencyLines(_ columns: [(commits: Int, latencyMeanUs: Double, latencyMaxUs: Int64)], intervalUs: Int64) -> String {
        let height = 160.0, plot = width - marginLeft - 10
        let maximum = Double(max(1, columns.map(\.latencyMaxUs).max() ?? 1))
        let step = plot / Double(max(1, columns.count))
        func points(_ values: [Double]) -> String {
            values.enumerated().map { "\(fmt(marginLeft + (Double($0.offset) + 0.5) * step)),\(fmt(height - $0.element / maximum * (height - 10)))" }.joined(separator: " ")
        }
        var svg = "<svg width=\"\(Int(width))\" height=\"\(Int(height + 24))\" xmlns=\"http://www.w3.org/2000/svg\">\n"
        svg += "<text x=\"4\" y=\"12\">\(AnalysisReport.duration(UInt64(maximum)))</text><text x=\"4\" y=\"\(Int(height))\">0</text>\n"
        svg += "<polyline fill=\"none\" stroke=\"#cf222e\" stroke-width=\"1.5\" points=\"\(points(columns.map { Double($0.latencyMaxUs) }))\"><title>max</title></polyline>\n"
        svg += "<polyline fill=\"none\" stroke=\"#3b82f6\" stroke-width=\"1.5\" points=\"\(points(columns.map(\.latencyMeanUs)))\"><title>mean</title></polyline>\n"
        svg += axis(y: height + 4, span: Double(columns.count) * Double(intervalUs))
        return svg + "</svg>\n<p class=\"legend\"><span><span class=\"swatch\" style=\"background:#3b82f6\"></span>mean</span><span><span class=\"swatch\" style=\"background:#cf222e\"></span>max</span></p>\n"
    }

    private static func histogram(_ buckets: [HistogramBucket]) -> String {
        let height = 160.0, plot = width - marginLeft - 10
        let maximum = Double(max(1, buckets.map(\.count).max() ?? 1))
        let barWidth = plot / Double(buckets.count)
        var svg = "<svg width=\"\(Int(width))\" height=\"\(Int(height + 30))\" xmlns=\"http://www.w3.org/2000/svg\">\n"
        for (position, bucket) in buckets.enumerated() {
            let barHeight = Double(bucket.count) / maximum * (height - 10)
            let left = marginLeft + Double(position) * barWidth
            svg += "<rect x=\"\(fmt(left))\" y=\"\(fmt(height - barHeight))\" width=\"\(fmt(max(1, barWidth - 2)))\" height=\"\(fmt(barHeight))\" fill=\"#8250df\"><title>≤ \(AnalysisReport.duration(bucket.upperUs)): \(bucket.count)</title></rect>\n"
            if position % Swift.max(1, buckets.count / 10) == 0 {
                svg += "<text x=\"\(fmt(left))\" y=\"\(Int(height + 16))\">\(AnalysisReport.duration(bucket.upperUs))</text>\n"
            }
        }
        return svg + "</svg>\n"
    }

    private static func statisticsSection(_ report: AnalysisReport) -> String {
        let stats = report.statistics
        var rows: [(String, String)] = [
            ("entries committed", "\(stats.committedEntries) (\(String(format: "%.1f", stats.commitsPerSecond))/s overall, \(stats.commitsPerSecondMax)/s at best over 100 ms)"),
            ("client requests", "\(stats.acknowledged) ok (\(String(format: "%.1f", stats.acknowledgedPerSecond))/s), \(stats.failed) failed, \(stats.timedOut) timed out"),
            ("elections", "\(stats.elections) (\(stats.leaderChanges) leader changes), \(String(format: "%.3f", stats.leaderlessSeconds)) s without a leader"),
            ("messages sent", stats.messagesText),
        ]
        for (name, summary) in [("client latency (invoke → ok)", stats.clientLatency), ("commit latency (propose → commit)", stats.commitLatency),
                                ("fsync", stats.fsyncLatency), ("election time", stats.electionTime)] {
            rows.append((name, AnalysisReport.latencyLine("", summary).dropFirst(4).description))
        }
        for node in report.nodes {
            rows.append(("node \(node.node)", "\(node.events) events, \(node.incarnations) incarnation(s), \(node.crashes) ended without stop"))
        }
        return "<h2>Statistics</h2>\n<table>" + rows.map { "<tr><td>\(escape($0.0))</td><td>\(escape($0.1))</td></tr>" }.joined(separator: "\n") + "</table>\n"
    }

    private static func axis(y: Double, span: Double) -> String {
        let plot = width - marginLeft - 10
        var svg = ""
        for tick in 0...5 {
            let fraction = Double(tick) / 5
            svg += "<text x=\"\(fmt(marginLeft + fraction * plot - (tick == 5 ? 30 : 0)))\" y=\"\(fmt(y + 14))\">\(String(format: "%.2fs", fraction * span / 1e6))</text>\n"
        }
        return svg
    }

    private static func seconds(_ microseconds: Int64) -> String { String(format: "%.3fs", Double(microseconds) / 1e6) }
    private static func fmt(_ value: Double) -> String { String(format: "%.1f", value) }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
