import Foundation
import RaftFuzz

/// Runs the libFuzzer build of `raftlab-fuzz` (scripts/fuzz.sh) for a set time from the
/// seed corpus of real frames, and reads what it did from its output: executions, coverage,
/// corpus growth and crashes (libFuzzer stops at the first one and writes the input that
/// caused it).
public enum FuzzBenchmark {
    /// What one run did.
    public struct Report: Sendable, CustomStringConvertible {
        public var seconds: Double
        public var executions: Int
        public var coverage: Int
        public var features: Int
        public var seedInputs: Int
        public var corpusInputs: Int
        /// Inputs libFuzzer wrote because they crashed, leaked or timed out.
        public var crashInputs: [String]
        /// The fuzzer's exit status (0 when it ran out its time).
        public var exitStatus: Int32
        /// The sanitizer's or libFuzzer's one-line summary of a crash, if any.
        public var crashSummary: String?

        public var executionsPerSecond: Double { seconds > 0 ? Double(executions) / seconds : 0 }

        public var description: String {
            let rate = Int(executionsPerSecond.rounded())
            var text = "fuzz: \(String(format: "%.0f", seconds)) s, \(executions.formatted()) executions (\(rate.formatted())/s), "
                + "\(crashInputs.count) crash\(crashInputs.count == 1 ? "" : "es"), coverage \(coverage.formatted()) edges "
                + "(\(features.formatted()) features), corpus \(corpusInputs.formatted()) inputs from \(seedInputs.formatted()) seeds"
            if let crashSummary { text += "\n  \(crashSummary)" }
            for input in crashInputs { text += "\n  input: \(input) (replay: raftlab-fuzz \(input), built without -sanitize=fuzzer)" }
            if exitStatus != 0 && crashInputs.isEmpty { text += "\n  the fuzzer exited with status \(exitStatus)" }
            return text
        }
    }

    /// Progress of a run in flight.
    public struct Progress: Sendable {
        public var seconds: Double
        public var executions: Int
        public var coverage: Int
        public var corpusInputs: Int
    }

    /// Why a run could not start.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Fuzzes with `binary` for `seconds`, starting from `seeds` (written to `workDirectory`,
    /// which also receives crash inputs). `progress` is called about every 2 s.
    public static func run(binary: String, seconds: Int, seeds: [[UInt8]], workDirectory: String,
                           progress: @escaping @Sendable (Progress) -> Void) throws -> Report {
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw Failure(description: "\(binary): no fuzz target there; build it with scripts/fuzz.sh (swift build --scratch-path .build-fuzz --product raftlab-fuzz -Xswiftc -sanitize=fuzzer,address -Xcc -fsanitize=undefined -Xswiftc -DFUZZING)")
        }
        let corpus = workDirectory + "/corpus"
        let artifacts = workDirectory + "/artifacts/"
        try FileManager.default.createDirectory(atPath: corpus, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: artifacts, withIntermediateDirectories: true)
        for (number, bytes) in seeds.enumerated() {
            try Data(bytes).write(to: URL(fileURLWithPath: "\(corpus)/seed-\(number)"))
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["-max_total_time=\(seconds)", "-print_final_stats=1", "-max_len=\(1 << 16)",
                             "-timeout=10", "-rss_limit_mb=4096", "-artifact_prefix=\(artifacts)", corpus]
        // Swift's crash backtracer would hold the output pipe open for a while after a crash;
        // libFuzzer prints its own report.
        var environment = ProcessInfo.processInfo.environment
        environment["SWIFT_BACKTRACE"] = "enable=no"
        process.environment = environment
        let errorPipe = Pipe()
        process.standardError = errorPipe
        process.standardOutput = errorPipe
        let start = Date()
        try process.run()
        try errorPipe.fileHandleForWriting.close() // the child holds its own copy: EOF when it exits
        var report = Report(seconds: 0, executions: 0, coverage: 0, features: 0, seedInputs: seeds.count, corpusInputs: 0,
                            crashInputs: [], exitStatus: 0, crashSummary: nil)
        var lastProgress = Date()
        var lastLines: [String] = []
        var pending = Data()
        let handle = errorPipe.fileHandleForReading
        while true {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            pending.append(chunk)
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                pending.removeSubrange(pending.startIndex...newline)
                read(line, into: &report)
                lastLines = Array((lastLines + [line]).suffix(5))
            }
            if Date().timeIntervalSince(lastProgress) >= 2 {
                lastProgress = Date()
                progress(Progress(seconds: Date().timeIntervalSince(start), executions: report.executions,
                                  coverage: report.coverage, corpusInputs: report.corpusInputs))
            }
        }
        process.waitUntilExit()
        report.seconds = Date().timeIntervalSince(start)
        report.exitStatus = process.terminationStatus
        let written = (try? FileManager.default.contentsOfDirectory(atPath: artifacts)) ?? []
        report.crashInputs = written.sorted().map { artifacts + $0 }
        if report.exitStatus != 0 && report.executions == 0 {
            throw Failure(description: "\(binary) exited with status \(report.exitStatus) before fuzzing: \(lastLines.joined(separator: " | "))")
        }
        return report
    }

    /// Takes what `line` of libFuzzer's output says.
    static func read(_ line: String, into report: inout Report) {
        if line.hasPrefix("#"), let executions = Int(line.dropFirst().prefix { $0.isNumber }) {
            report.executions = max(report.executions, executions)
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            for (position, word) in words.enumerated() where position + 1 < words.count {
                let value = words[position + 1]
                switch word {
                case "cov:": report.coverage = Int(value) ?? report.coverage
                case "ft:": report.features = Int(value) ?? report.features
                case "corp:": report.corpusInputs = Int(value.prefix { $0.isNumber }) ?? report.corpusInputs
                default: break
                }
            }
        } else if line.hasPrefix("stat::number_executed_units:") {
            report.executions = Int(line.split(separator: ":").last!.trimmingCharacters(in: .whitespaces)) ?? report.executions
        } else if line.hasPrefix("SUMMARY:") || line.contains("ERROR: libFuzzer:") || line.contains("Fatal error:") {
            if report.crashSummary == nil { report.crashSummary = line.trimmingCharacters(in: .whitespaces) }
        }
    }
}
