import Foundation
import RaftTrace

/// What `raftlab analyze PATH…` reads: a merged trace, a run directory (its merged
/// `trace.jsonl.gz` when present, otherwise its per-stream files), or several files.
public struct AnalysisInputs: Sendable {
    /// The trace files to read, merged by `ts`.
    public var files: [String]
    /// `run.json` of the (first) run directory given, when it has one.
    public var manifest: RunManifest?

    /// Resolves `paths`; throws `TraceIOError` for a missing path or a directory without traces.
    public init(paths: [String]) throws {
        precondition(!paths.isEmpty, "no input")
        files = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw TraceIOError(path: path, kind: .missing, detail: "")
            }
            guard isDirectory.boolValue else {
                files.append(path)
                continue
            }
            let layout = RunLayout(directory: path)
            if manifest == nil && FileManager.default.fileExists(atPath: layout.manifestPath) {
                manifest = try RunManifest.read(path: layout.manifestPath)
            }
            if FileManager.default.fileExists(atPath: layout.mergedTracePath) {
                files.append(layout.mergedTracePath)
            } else {
                let sources = try layout.sourceTracePaths()
                guard !sources.isEmpty else {
                    throw TraceIOError(path: path, kind: .missing, detail: "no trace files (trace.jsonl.gz or node-<id>.jsonl.gz)")
                }
                files.append(contentsOf: sources)
            }
        }
    }
}

/// Something that watches the event stream besides the analyzer: the exporters.
public protocol TraceObserver: AnyObject {
    /// Takes the next event, in the analyzer's order.
    func consume(_ record: TraceRecord, at location: EventLocation) throws
    /// Called once after the last event.
    func finish() throws
}

/// Reads inputs and runs the analyzer (and observers) over them in one streaming pass.
public enum Analysis {
    /// Analyses `inputs`. Throws `TraceIOError` when a file cannot be opened or read, or
    /// (strict) on the first malformed line.
    public static func run(_ inputs: AnalysisInputs, strict: Bool = false, options: TraceAnalyzer.Options = .init(),
                           observers: [TraceObserver] = []) throws -> AnalysisReport {
        let reader = try TraceMergedReader(paths: inputs.files, options: TraceReader.Options(strict: strict))
        let analyzer = TraceAnalyzer(files: inputs.files, options: options)
        while let record = try reader.next() {
            let location = EventLocation(file: reader.currentReader, line: reader.currentLine)
            analyzer.consume(record, at: location)
            for observer in observers { try observer.consume(record, at: location) }
        }
        for observer in observers { try observer.finish() }
        return analyzer.finish(warnings: reader.warnings, malformedLineCount: reader.malformedLineCount,
                               unknownTypes: reader.unknownTypeCounts, run: inputs.manifest)
    }
}
