import Foundation
import RaftAnalyze
import RaftTrace
import Testing

/// The committed sample runs in `traces/samples/` (real `raftlab up` and `raftlab chaos`
/// runs, and a simulated one with a cut trace): the analyzer must find nothing wrong in them.
@Suite("Sample traces")
struct SampleTraceTests {
    /// `traces/samples/` of this checkout.
    static let samplesDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("traces/samples").path

    /// Each sample run directory, by name.
    static func sample(_ name: String) -> String { samplesDirectory + "/" + name }

    static let calm = "calm-up"
    static let chaos = "chaos-kills"
    /// A simulated run whose killed follower lost its truncate and append events.
    static let cut = "sim-cut-follower"

    @Test("every safety check holds on every sample, with nothing skipped or malformed", arguments: [calm, chaos, cut])
    func analyzerStaysQuiet(_ name: String) throws {
        let report = try Analysis.run(try AnalysisInputs(paths: [Self.sample(name)]), strict: true)
        #expect(report.safety.count == SafetyProperty.allCases.count)
        for check in report.safety {
            #expect(check.holds && check.violationCount == 0, "\(name): \(check.property): \(check.violations.first?.message ?? "")")
        }
        #expect(report.isSafe)
        #expect(report.malformedLineCount == 0 && report.unknownTypes.isEmpty && report.streamGapCount == 0, "\(name): \(report.streamGaps)")
        #expect(report.warnings.isEmpty, "\(name): \(report.warnings)")
        #expect(report.statistics.acknowledged > 0 && report.statistics.committedEntries >= report.statistics.acknowledged)
        #expect(report.run?.seed != nil, "run.json is read with the trace")
    }

    @Test("the calm sample is a run without faults; the chaos sample has leader kills and restarts")
    func samplesShowWhatTheyClaim() throws {
        let calm = try Analysis.run(try AnalysisInputs(paths: [Self.sample(Self.calm)]))
        #expect(calm.nodes.allSatisfy { $0.crashes == 0 && $0.restarts == 0 })
        #expect(calm.statistics.eventsByType["nemesis"] == nil)

        let chaos = try Analysis.run(try AnalysisInputs(paths: [Self.sample(Self.chaos)]))
        #expect(chaos.nodes.map(\.crashes).reduce(0, +) >= 2, "killed nodes' incarnations end without stop")
        #expect(chaos.nodes.map(\.restarts).reduce(0, +) >= 2)
        var kills = 0
        var restarts = 0
        let trace = try TraceReader(path: Self.sample(Self.chaos) + "/" + RunLayout.mergedFileName)
        while let record = try trace.next() {
            guard case .nemesis(let action, _, let detail) = record.body else { continue }
            if action == .kill && detail?.hasPrefix("leader") == true { kills += 1 }
            if action == .restart { restarts += 1 }
        }
        #expect(kills >= 2 && restarts == kills)
        #expect(chaos.statistics.elections > kills, "a new leader after every leader kill")
    }
}
