import Foundation
import TestGate
import Testing
import RaftCore
@testable import RaftAnalyze
import RaftTrace
import RaftTraceSim

/// End to end on whole simulated runs: correct Raft with kills passes, deliberately broken
/// Raft (RaftCore's mutants) is caught.
@Suite("Analysis of simulated runs", .exclusive)
struct SimulatedRunTests {
    static func run(_ configuration: SimulatedTraceRun.Configuration, in directory: TemporaryDirectory, name: String) throws -> (SimulatedTraceRun.Summary, String) {
        let path = directory.file(name)
        let summary = try SimulatedTraceRun(configuration: configuration).write(to: path)
        return (summary, path)
    }

    @Test("a run with kills and restarts holds every property; per-stream files give the same result as the merged one")
    func killsAreSafe() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let configuration = SimulatedTraceRun.Configuration(seed: 7, clients: 6, durationUs: 4_000_000, killIntervalUs: 700_000)
        let (summary, runDirectory) = try Self.run(configuration, in: directory, name: "run-kills")
        #expect(summary.killCount >= 3)
        let report = try Analysis.run(AnalysisInputs(paths: [runDirectory]))
        let safe = report.isSafe
        #expect(safe, Comment(rawValue: report.text))
        #expect(report.inputs == [runDirectory + "/trace.jsonl.gz"])
        #expect(report.run?.seed == 7)
        // A kill loses the victim's unflushed events (at most a 256 KiB buffer, ~2,000 events).
        let lost = summary.eventCount - report.eventCount
        #expect(lost >= 0 && lost <= summary.killCount * 3_000, "lost \(lost) events in \(summary.killCount) kills")
        #expect(report.statistics.acknowledged == summary.acknowledgedCount)
        let restarts = report.nodes.reduce(0) { $0 + $1.restarts }
        #expect(restarts >= summary.killCount - 2 && restarts <= summary.killCount, "restarts \(restarts), kills \(summary.killCount)")
        #expect(report.statistics.elections >= 2)
        #expect(report.statistics.clientLatency != nil && report.statistics.commitLatency != nil && report.statistics.fsyncLatency != nil)

        let layout = RunLayout(directory: runDirectory)
        let streams = try Analysis.run(AnalysisInputs(paths: try layout.sourceTracePaths()))
        let streamsSafe = streams.isSafe
        #expect(streamsSafe, Comment(rawValue: streams.text))
        #expect(streams.eventCount == report.eventCount)
        #expect(streams.warnings.contains { $0.contains("cut or corrupt") || $0.contains("file ends inside") }, "a kill leaves an unfinished member")
        #expect(streams.statistics.committedEntries == report.statistics.committedEntries)
    }

    @Test("correct Raft under message loss, kills and restarts raises no false alarm", arguments: [UInt64(21), 22, 23])
    func lossAndKillsAreSafe(seed: UInt64) throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let configuration = SimulatedTraceRun.Configuration(nodeCount: 5, seed: seed, clients: 4, durationUs: 3_000_000,
                                                            killIntervalUs: 300_000, tracesMessages: false, dropProbability: 0.2)
        let (summary, path) = try Self.run(configuration, in: directory, name: "loss-\(seed)")
        let report = try Analysis.run(AnalysisInputs(paths: [path]))
        #expect(summary.killCount >= 3)
        #expect(report.violated.isEmpty, Comment(rawValue: report.text))
    }

    @Test("deliberately broken Raft is caught", arguments: [Mutant.grantVoteWithoutLogCheck, .majorityOffByOne])
    func mutantsAreCaught(mutant: Mutant) throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var found: Set<SafetyProperty> = []
        for seed in UInt64(1)...6 where !found.contains(.stateMachineSafety) {
            let configuration = SimulatedTraceRun.Configuration(nodeCount: 5, seed: seed, clients: 4, durationUs: 3_000_000,
                                                                killIntervalUs: 300_000, tracesMessages: false, dropProbability: 0.2,
                                                                options: ProtocolOptions.standard.withMutant(mutant))
            let (_, path) = try Self.run(configuration, in: directory, name: "mutant-\(seed)")
            found.formUnion(try Analysis.run(AnalysisInputs(paths: [path])).violated)
        }
        #expect(found.contains(.stateMachineSafety), "found \(found.map(\.rawValue))")
    }

    /// The properties both checkers define the same way, by the names both print.
    static let sharedProperties: [SafetyProperty] = [.electionSafety, .stateMachineSafety, .leaderCompleteness]

    /// The shared properties the simulator's in-memory checks found broken.
    static func brokenInMemory(_ violations: [String]) -> Set<SafetyProperty> {
        Set(sharedProperties.filter { property in violations.contains { $0.contains("\(property.rawValue) violated") } })
    }

    /// One run, two checkers: `RaftInvariants` on every node's full state after every step
    /// (`SimulatedCluster`), and the analyzer on the traces alone. With every event traced
    /// (no kills) they must reach the same verdict on the properties they share; a kill loses
    /// the victim's unflushed events, so then the analyzer may see less, never more.
    @Test("the analyzer's verdict on a run's traces agrees with the invariants checked on its states",
          arguments: [Mutant?.none, .majorityOffByOne, .grantVoteWithoutLogCheck])
    func verdictsAgree(mutant: Mutant?) throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var brokenSomewhere = false
        for seed in UInt64(1)...4 {
            for killIntervalUs in [Int64?.none, 300_000] {
                var options = ProtocolOptions.standard
                options.mutant = mutant
                var configuration = SimulatedTraceRun.Configuration(nodeCount: 5, seed: seed, clients: 4, durationUs: 1_500_000,
                                                                    killIntervalUs: killIntervalUs, tracesMessages: false,
                                                                    dropProbability: 0.2, options: options)
                configuration.checksInvariants = true
                let (summary, path) = try Self.run(configuration, in: directory, name: "agree-\(seed)-\(killIntervalUs ?? 0)")
                let inMemory = Self.brokenInMemory(summary.violations)
                let fromTraces = try Analysis.run(AnalysisInputs(paths: [path])).violated.intersection(Self.sharedProperties)
                let label = "seed \(seed), kills \(killIntervalUs.map(String.init) ?? "none"): in memory \(inMemory.map(\.rawValue).sorted()), from traces \(fromTraces.map(\.rawValue).sorted()); \(summary.violations.prefix(3))"
                if killIntervalUs == nil {
                    #expect(fromTraces == inMemory, "\(label)")
                } else {
                    #expect(fromTraces.isSubset(of: inMemory), "\(label)")
                }
                if mutant == nil { #expect(summary.violations.isEmpty, "\(label)") }
                brokenSomewhere = brokenSomewhere || !fromTraces.isEmpty
            }
        }
        #expect(brokenSomewhere == (mutant != nil), "a mutant is caught by both on some seed; correct Raft by neither")
    }

    /// Snapshots every few entries, a little log kept behind them, lost messages and kills:
    /// lagging followers get snapshots installed, and neither the analyzer (which must follow
    /// a log replaced by an `install`) nor the in-memory invariants find anything wrong.
    @Test("runs with snapshots, installs and kills analyze clean, in agreement with the in-memory invariants")
    func snapshotsAnalyzeClean() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var installs = 0
        for seed in UInt64(1)...4 {
            var options = ProtocolOptions.standard
            options.entriesKeptAfterSnapshot = 3
            options.snapshotChunkBytesMax = 512
            var configuration = SimulatedTraceRun.Configuration(nodeCount: 5, seed: seed, clients: 4, durationUs: 1_500_000,
                                                                killIntervalUs: 250_000, tracesMessages: false,
                                                                dropProbability: 0.2, options: options)
            configuration.checksInvariants = true
            configuration.snapshotEveryEntries = 10
            let (summary, path) = try Self.run(configuration, in: directory, name: "snapshots-\(seed)")
            let analysis = try Analysis.run(AnalysisInputs(paths: [path]))
            #expect(summary.violations.isEmpty, "seed \(seed): \(summary.violations.prefix(3))")
            #expect(analysis.violated.isEmpty, "seed \(seed): \(analysis.violated.map(\.rawValue).sorted())")
            installs += try Self.count(.install, in: path)
        }
        #expect(installs > 0, "some follower installed a snapshot")
    }

    /// Lines of type `type` in the merged trace of the run directory `path`.
    static func count(_ type: TraceEventType, in path: String) throws -> Int {
        var count = 0
        let reader = try TraceReader(path: RunLayout(directory: path).mergedTracePath)
        while let record = try reader.next() {
            if record.type == type { count += 1 }
        }
        return count
    }
}

extension ProtocolOptions {
    func withMutant(_ mutant: Mutant) -> ProtocolOptions {
        var options = self
        options.mutant = mutant
        return options
    }
}
