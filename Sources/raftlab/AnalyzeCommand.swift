import ArgumentParser
import Foundation
import RaftAnalyze
import RaftTrace

/// `raftlab analyze PATH…`: what happened in a run, whether it was safe, how fast it was.
struct AnalyzeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Check a run's trace for Raft safety violations and report latency, throughput and elections.",
        discussion: """
        PATH is a merged trace (trace.jsonl.gz), a run directory (traces/<run-id>/: its
        trace.jsonl.gz, or else its node-<id>.jsonl.gz, client.jsonl.gz and chaos.jsonl.gz
        merged on the fly), or several trace files. Files cut by kill -9 are read up to the
        cut, with a warning. The format is docs/TRACE_FORMAT.md; the checks are docs/ANALYZE.md.

        Exit status: 0 every safety check holds, 1 a check is violated, 2 bad input.

        Examples:
          raftlab analyze traces/run-20261127-1                 report on a run directory
          raftlab analyze trace.jsonl.gz --timeline --from 3 --to 4.5
          raftlab analyze traces/run-1 --html report.html --export perfetto run.perfetto.json
          raftlab analyze traces/run-1 --json | jq '.safety[] | select(.holds == false)'
        """
    )

    @Argument(help: "A merged trace, a run directory, or trace files.") var paths: [String]
    @Flag(help: "Stop at the first malformed line instead of skipping it.") var strict = false
    @Flag(help: "Print the timeline: starts and restarts, roles, leaders, faults.") var timeline = false
    @Option(help: "Timeline from this many seconds after the first event.") var from: Double?
    @Option(help: "Timeline up to this many seconds after the first event.") var to: Double?
    @Flag(help: "Print the whole result as JSON (for machines) instead of text.") var json = false
    @Option(help: "Write a self-contained HTML report to this file.") var html: String?
    @Option(parsing: .upToNextOption, help: ArgumentHelp("Export FORMAT FILE: perfetto (Chrome trace-event JSON) or otlp (OTLP/JSON spans).", valueName: "format file"))
    var export: [String] = []

    func validate() throws {
        if let from, let to, to < from { throw ValidationError("--to must not be before --from") }
        if (from != nil || to != nil) && !timeline { throw ValidationError("--from and --to window the timeline: add --timeline") }
        guard export.count % 2 == 0 else { throw ValidationError("--export takes a format and a file, e.g. --export perfetto run.json") }
        for format in stride(from: 0, to: export.count, by: 2).map({ export[$0] }) where format != "perfetto" && format != "otlp" {
            throw ValidationError("unknown export format '\(format)': use perfetto or otlp")
        }
        if json && timeline { throw ValidationError("--json and --timeline both print to stdout: pick one") }
    }

    func run() throws {
        do {
            let inputs = try AnalysisInputs(paths: paths)
            var observers: [TraceObserver] = []
            for position in stride(from: 0, to: export.count, by: 2) {
                let file = export[position + 1]
                observers.append(export[position] == "perfetto"
                                 ? try PerfettoExporter(path: file)
                                 : try OTLPExporter(path: file, runID: inputs.manifest?.runID ?? (paths[0] as NSString).lastPathComponent))
            }
            let options = TraceAnalyzer.Options(timelineSink: timeline ? { print($0) } : nil, fromSeconds: from, toSeconds: to)
            let report = try Analysis.run(inputs, strict: strict, options: options, observers: observers)
            if let html {
                guard FileManager.default.createFile(atPath: html, contents: Data(HTMLReport.render(report).utf8)) else {
                    throw TraceIOError(path: html, kind: .system(errno: errno), detail: "create")
                }
            }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try encoder.encode(report), as: UTF8.self))
            } else {
                if timeline { print("") }
                print(report.text, terminator: "")
                if let html { print("HTML report: \(html)") }
                for position in stride(from: 0, to: export.count, by: 2) { print("\(export[position]) export: \(export[position + 1])") }
            }
            if !report.isSafe { throw ExitCode(1) }
        } catch let error as TraceIOError {
            FileHandle.standardError.write(Data("raftlab analyze: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }
}
