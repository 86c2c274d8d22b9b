import Foundation
import TestGate
import Testing
@testable import RaftAnalyze
import RaftTrace
import RaftTraceSim

@Suite("Bad inputs, cut files, reports and exports", .exclusive)
struct InputAndExportTests {
    @Test("missing, empty and non-gzip inputs fail with a one-line error naming the file")
    func badInputs() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        FileManager.default.createFile(atPath: directory.file("empty.jsonl.gz"), contents: Data())
        FileManager.default.createFile(atPath: directory.file("plain.jsonl"), contents: Data("{\"v\":1}\n".utf8))
        try FileManager.default.createDirectory(atPath: directory.file("no-traces"), withIntermediateDirectories: true)
        let cases: [(String, String)] = [
            (directory.file("missing.jsonl.gz"), "no such file"),
            (directory.file("empty.jsonl.gz"), "empty file"),
            (directory.file("plain.jsonl"), "not a gzip file"),
            (directory.file("no-traces"), "no trace files"),
        ]
        for (path, text) in cases {
            do {
                _ = try Analysis.run(AnalysisInputs(paths: [path]))
                Issue.record("analysed \(path)")
            } catch let error as TraceIOError {
                #expect(error.description.hasPrefix(path) && error.description.contains(text), "\(error)")
                #expect(!error.description.contains("\n"))
            }
        }
    }

    @Test("a trace cut mid-file is analysed up to the cut, with a warning naming the byte offset")
    func cutTrace() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var script = SafetyCheckTests.healthy()
        for index in 3...400 {
            script.replicate(index: index, term: 1, request: UInt64(100 + index), on: [0, 1, 2])
        }
        let path = directory.file("trace.jsonl.gz")
        try script.write(to: path)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let cut = bytes.count * 2 / 3
        let cutPath = directory.file("cut.jsonl.gz")
        FileManager.default.createFile(atPath: cutPath, contents: bytes.prefix(cut))
        let report = try Analysis.run(AnalysisInputs(paths: [cutPath]))
        #expect(report.eventCount > 0 && report.eventCount < script.records.count)
        #expect(report.warnings.contains { $0.hasPrefix("\(cutPath): byte \(cut):") }, "\(report.warnings)")
        #expect(report.violated.isEmpty)
    }

    @Test("malformed lines are skipped and counted; strict mode stops at the first with file and line")
    func malformedLines() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let script = SafetyCheckTests.healthy()
        var lines = script.records.map(\.jsonLine)
        lines.insert("{\"v\":1,\"ts\":1,\"node\":0,\"inc\":0,\"seq\":0,\"type\":\"commit\",\"term\":1}\n", at: 5)
        let path = directory.file("bad.jsonl.gz")
        try gzip(lines.joined(), to: path)
        let report = try Analysis.run(AnalysisInputs(paths: [path]))
        #expect(report.malformedLineCount == 1)
        #expect(report.warnings.contains { $0.hasPrefix("\(path):6: malformed line skipped: missing field 'index'") })
        #expect(report.eventCount == script.records.count)
        do {
            _ = try Analysis.run(AnalysisInputs(paths: [path]), strict: true)
            Issue.record("strict analysis accepted a malformed line")
        } catch let error as TraceIOError {
            #expect(error.description.hasPrefix("\(path):6: malformed line"))
        }
    }

    @Test("HTML, Perfetto and OTLP outputs are well-formed and self-contained")
    func exports() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let configuration = SimulatedTraceRun.Configuration(seed: 3, clients: 3, durationUs: 1_500_000, killIntervalUs: 500_000)
        let run = directory.file("run")
        try SimulatedTraceRun(configuration: configuration).write(to: run)
        let perfetto = directory.file("run.perfetto.json"), otlp = directory.file("run.otlp.json")
        var timeline: [String] = []
        let report = try Analysis.run(AnalysisInputs(paths: [run]),
                                      options: .init(timelineSink: { timeline.append($0) }, fromSeconds: 0, toSeconds: 1),
                                      observers: [try PerfettoExporter(path: perfetto), try OTLPExporter(path: otlp, runID: "run")])
        #expect(timeline.contains { $0.contains("LEADER of term") })
        #expect(timeline.contains { $0.contains("FAULT kill") })
        #expect(timeline.allSatisfy { Double($0.prefix(12).trimmingCharacters(in: .whitespaces).dropLast())! <= 1 })

        let trace = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: perfetto))) as! [String: Any]
        let events = trace["traceEvents"] as! [[String: Any]]
        var depth: [Int: Int] = [:]
        for event in events where event["pid"] as? Int == 1 {
            let tid = event["tid"] as? Int ?? -1
            if event["ph"] as? String == "B" { depth[tid, default: 0] += 1 }
            if event["ph"] as? String == "E" { depth[tid, default: 0] -= 1; #expect(depth[tid]! >= 0) }
        }
        #expect(depth.values.allSatisfy { $0 == 0 }, "every span ends")
        #expect(events.contains { ($0["name"] as? String)?.hasPrefix("leader (term") == true })
        #expect(events.contains { $0["ph"] as? String == "i" && ($0["name"] as? String)?.hasPrefix("kill") == true })

        let spansRoot = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: otlp))) as! [String: Any]
        let scope = ((spansRoot["resourceSpans"] as! [[String: Any]])[0]["scopeSpans"] as! [[String: Any]])[0]
        let spans = scope["spans"] as! [[String: Any]]
        let outcomes = report.statistics.acknowledged + report.statistics.failed + report.statistics.timedOut
        #expect(spans.count >= outcomes && spans.count > 0)
        let okSpan = try #require(spans.first { ($0["status"] as? [String: Any])?["code"] as? Int == 1 })
        let names = (okSpan["events"] as! [[String: Any]]).map { $0["name"] as! String }
        #expect(names.contains("propose") && names.contains("commit") && names.contains("deliver"), "\(names)")
        #expect((okSpan["traceId"] as! String).count == 32 && (okSpan["spanId"] as! String).count == 16)

        let html = HTMLReport.render(report)
        #expect(html.hasPrefix("<!DOCTYPE html>") && html.contains("<svg") && html.contains("leader, term"))
        #expect(!html.contains("src=") && !html.contains("href=") && !html.contains("<script"), "no external assets")

        let json = try JSONEncoder().encode(report)
        let decoded = try JSONDecoder().decode(AnalysisReport.self, from: json)
        #expect(decoded.eventCount == report.eventCount && decoded.safety == report.safety)
    }

    private func gzip(_ text: String, to path: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "gzip -c > '\(path)'"]
        let pipe = Pipe()
        process.standardInput = pipe
        try process.run()
        pipe.fileHandleForWriting.write(Data(text.utf8))
        try pipe.fileHandleForWriting.close()
        process.waitUntilExit()
    }
}
