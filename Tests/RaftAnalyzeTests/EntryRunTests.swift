import Foundation
import TestGate
import Testing
import RaftCore
import RaftCoreTrace
@testable import RaftAnalyze
import RaftTrace
import RaftTraceSim

/// Lines that carry many entries (a `deliver` run, an `append` with `reqs`) are checked and
/// measured exactly as the same entries in lines of one entry each (docs/TRACE_FORMAT.md,
/// "Entries in runs").
@Suite("Entry runs: deliver runs and proposals folded into append", .exclusive)
struct EntryRunTests {
    /// Three nodes; node 0 leads term 1 and appends entries 1...count (requests 11, 12, ...)
    /// on every node, then every node commits them (up to `commitIndex` if given).
    static func committed(_ count: Int, commitIndex: Int? = nil) -> TraceScript {
        var script = TraceScript()
        script.startCluster(3)
        script.elect(0, term: 1, of: 3)
        let terms = [UInt64](repeating: 1, count: count)
        let requests = (1...count).map { UInt64(10 + $0) }
        script.node(0, term: 1, .append(index: 1, entryTerms: terms, digests: requests.map(digest), requests: requests))
        for id in 1..<3 { script.node(id, term: 1, .append(index: 1, entryTerms: terms, digests: requests.map(digest))) }
        for id in 0..<3 { script.node(id, term: 1, .commit(index: commitIndex ?? count)) }
        return script
    }

    static func digest(_ request: UInt64) -> UInt64 { request &* 0x9E37_79B9_7F4A_7C15 }

    /// A run of entries `range` of `committed(_:)` as node `id` delivers them.
    static func run(_ range: ClosedRange<Int>, digests: [Int: UInt64] = [:]) -> TraceBody {
        let requests = range.map { UInt64(10 + $0) }
        return .deliverRun(index: range.lowerBound, entryTerms: [UInt64](repeating: 1, count: range.count),
                           digests: range.map { digests[$0] ?? digest(UInt64(10 + $0)) }, requests: requests)
    }

    @Test("a history delivered in runs passes every check, and counts its proposals and commits")
    func runsPass() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var script = Self.committed(4)
        for id in 0..<3 {
            script.node(id, term: 1, Self.run(1...2))
            script.node(id, term: 1, Self.run(3...4))
        }
        for request in UInt64(11)...14 { script.client(0, .ok(client: 1, request: request, index: Int(request) - 10)) }
        let report = try script.analyze(in: directory)
        #expect(report.violated.isEmpty, Comment(rawValue: report.text))
        #expect(report.statistics.committedEntries == 4)
        #expect(report.statistics.commitLatency?.count == 4, "one proposal per non-zero request of the leader's append")
    }

    @Test("a conflicting digest inside a run is a State Machine Safety violation at its index")
    func conflictInsideRun() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var script = Self.committed(3)
        script.node(0, term: 1, Self.run(1...3))
        let line = script.node(1, term: 1, Self.run(1...3, digests: [2: 0xbad]))
        let report = try script.analyze(in: directory)
        #expect(report.violated.contains(.stateMachineSafety))
        let violation = try #require(report.check(.stateMachineSafety).violations.first)
        #expect(violation.message.contains("node 1 delivered index 2 as term 1 digest 0000000000000bad"), "\(violation.message)")
        #expect(violation.evidence.last?.location == directory.file("trace.jsonl.gz") + ":\(line)")
        #expect(report.check(.stateMachineSafety).violationCount == 1, "entries 1 and 3 of the run agree")
    }

    @Test("a run that skips past the next index, repeats one or goes past the commit index breaks Delivery Order")
    func gapsAroundRuns() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var script = Self.committed(6)
        script.node(0, term: 1, Self.run(1...2))
        script.node(0, term: 1, Self.run(4...6))
        script.node(1, term: 1, Self.run(1...3))
        script.node(1, term: 1, Self.run(3...4))
        var report = try script.analyze(in: directory)
        #expect(report.violated == [.deliveryOrder], Comment(rawValue: report.text))
        var messages = report.check(.deliveryOrder).violations.map(\.message)
        #expect(messages.contains("node 0 delivered index 4 right after 2: indexes 3...3 skipped"), "\(messages)")
        #expect(messages.contains("node 1 delivered index 3 again after 3 in incarnation 0"), "\(messages)")
        #expect(report.check(.deliveryOrder).violationCount == 2, "the rest of each run follows on")

        script = Self.committed(2, commitIndex: 1)
        script.node(1, term: 1, Self.run(1...2))
        report = try script.analyze(in: directory, name: "beyond-commit.jsonl.gz")
        messages = report.check(.deliveryOrder).violations.map(\.message)
        #expect(messages == ["node 1 delivered index 2 beyond its commit index 1"])
    }

    @Test("one request delivered at two indexes inside one run breaks Durability")
    func duplicateInsideRun() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var script = Self.committed(2)
        script.node(0, term: 1, .deliverRun(index: 1, entryTerms: [1, 1], digests: [Self.digest(11), Self.digest(12)], requests: [11, 11]))
        let report = try script.analyze(in: directory)
        #expect(report.violated.contains(.durability))
        #expect(report.check(.durability).violations.first?.message == "request 11 was delivered at index 2 and at index 1")
    }

    // MARK: The same run in both forms

    /// `records` as a writer of schema 1.0 would have written them: each run of deliveries
    /// as lines of one entry, each proposal of an `append`'s `reqs` as a `propose` line just
    /// before it (same `ts`), node streams renumbered.
    static func oneEntryPerLine(_ records: [TraceRecord]) -> [TraceRecord] {
        var sequences: [String: UInt64] = [:]
        var expanded: [TraceRecord] = []
        func add(_ record: TraceRecord, _ body: TraceBody) {
            var copy = record
            copy.body = body
            if record.type.source == .node {
                let stream = "\(record.node).\(record.incarnation)"
                copy.sequence = sequences[stream, default: 0]
                sequences[stream, default: 0] += 1
            }
            expanded.append(copy)
        }
        for record in records {
            switch record.body {
            case .deliverRun:
                record.body.forEachDelivery { index, term, digest, request in
                    add(record, .deliver(index: index, entryTerm: term, digest: digest, request: request))
                }
            case .append(let index, let entryTerms, let digests, _?):
                record.body.forEachProposal { request, index in add(record, .propose(request: request, index: index)) }
                add(record, .append(index: index, entryTerms: entryTerms, digests: digests))
            default:
                add(record, record.body)
            }
        }
        return expanded
    }

    /// What must not depend on the form: verdicts, messages, notes, statistics but the counts
    /// of lines, the series, the lanes, the OTLP export and the timeline without locations.
    struct Outcome: Equatable {
        var safety: [String]
        var statistics: AnalysisReport.Statistics
        var series: String
        var lanes: String
        var otlp: String
        var timeline: [String]
    }

    static func outcome(of path: String, in directory: TemporaryDirectory) throws -> Outcome {
        let otlpPath = path + ".otlp.json"
        var timeline: [String] = []
        let report = try Analysis.run(AnalysisInputs(paths: [path]), strict: true,
                                      options: .init(timelineSink: { timeline.append($0) }),
                                      observers: [try OTLPExporter(path: otlpPath, runID: "run")])
        #expect(report.malformedLineCount == 0 && report.streamGapCount == 0, "\(report.streamGaps)")
        var statistics = report.statistics
        statistics.eventsByType = [:]
        statistics.eventsByNode = [:]
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return Outcome(
            safety: report.safety.map { "\($0.property) \($0.holds) \($0.violationCount) \($0.violations.map(\.message)) \($0.notes)" },
            statistics: statistics,
            series: String(decoding: try encoder.encode(report.series), as: UTF8.self),
            lanes: String(decoding: try encoder.encode(report.lanes), as: UTF8.self),
            otlp: try String(contentsOfFile: otlpPath, encoding: .utf8),
            timeline: timeline.map { $0.replacingOccurrences(of: #"\S+\.jsonl\.gz:\d+"#, with: "", options: .regularExpression) })
    }

    /// Simulates `configuration` and analyses its merged trace as written (runs, folded
    /// proposals) and expanded to one entry per line.
    static func bothForms(_ configuration: SimulatedTraceRun.Configuration, in directory: TemporaryDirectory,
                          name: String) throws -> (compact: Outcome, expanded: Outcome) {
        let summary = try SimulatedTraceRun(configuration: configuration).write(to: directory.file(name))
        let batched = try TraceReader(path: summary.layout.mergedTracePath)
        var records: [TraceRecord] = []
        while let record = try batched.next() { records.append(record) }
        let runs = records.filter { if case .deliverRun = $0.body { return true } else { return false } }
        let folded = records.filter { if case .append(_, _, _, _?) = $0.body { return true } else { return false } }
        #expect(runs.count > 10 && folded.count > 10, "the simulator writes the new forms")
        #expect(!records.contains { $0.type == .propose }, "every proposal is folded into its append")

        let expandedPath = directory.file(name + "-expanded.jsonl.gz")
        var script = TraceScript()
        for record in Self.oneEntryPerLine(records) { script.append(record) }
        try script.write(to: expandedPath)
        return (try Self.outcome(of: summary.layout.mergedTracePath, in: directory), try Self.outcome(of: expandedPath, in: directory))
    }

    @Test("a simulated run with kills analyses the same with runs and folded proposals as with one entry per line")
    func sameRunBothForms() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let configuration = SimulatedTraceRun.Configuration(seed: 7, clients: 16, durationUs: 3_000_000, killIntervalUs: 400_000)
        let (compact, expanded) = try Self.bothForms(configuration, in: directory, name: "run")
        #expect(compact == expanded)
        #expect(compact.statistics.commitLatency != nil && compact.statistics.acknowledged > 100)
    }

    @Test("broken Raft is caught alike in both forms")
    func mutantBothForms() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        // The mutant does not break safety on every seed; the first seed whose run shows it must show
        // it alike in both forms, and every seed tried before it must agree in both forms too.
        var caught: Int?
        for seed in UInt64(1)...24 {
            let configuration = SimulatedTraceRun.Configuration(seed: seed, clients: 16, durationUs: 3_000_000, killIntervalUs: 300_000,
                                                                tracesMessages: false, dropProbability: 0.2,
                                                                options: ProtocolOptions.standard.withMutant(.majorityOffByOne))
            let (compact, expanded) = try Self.bothForms(configuration, in: directory, name: "mutant-\(seed)")
            #expect(compact == expanded, "seed \(seed)")
            if compact.safety.contains(where: { $0.hasPrefix("State Machine Safety false") }) { caught = Int(seed); break }
        }
        #expect(caught != nil, "no seed of 1...24 shows majority-off-by-one breaking State Machine Safety")
    }

    // MARK: Building the lines from core events

    static let entries = (1...4).map { Entry(term: 2, request: RequestID(100 + $0), payload: Array("e\($0)".utf8)) }

    static func lines(_ batch: TraceBodyBatch) -> [TraceBody] { batch.map(\.body) }

    @Test("consecutive deliveries become one line: the one-entry form for one, a run for more")
    func deliveriesCoalesce() {
        var batch = TraceBodyBatch()
        batch.append(.committed(index: 3), term: 2)
        for index in 1...3 { batch.append(.delivered(index: index, entry: Self.entries[index - 1]), term: 2) }
        #expect(Self.lines(batch) == [
            .commit(index: 3),
            .deliverRun(index: 1, entryTerms: [2, 2, 2], digests: Self.entries[0..<3].map(\.digest), requests: [101, 102, 103]),
        ])
        var single = TraceBodyBatch()
        single.append(.delivered(index: 4, entry: Self.entries[3]), term: 2)
        #expect(Self.lines(single) == [.deliver(index: 4, entryTerm: 2, digest: Self.entries[3].digest, request: 104)])
    }

    @Test("a run ends at any other line, a gap or a new term: order is kept")
    func runsSplit() {
        var batch = TraceBodyBatch()
        batch.append(.delivered(index: 1, entry: Self.entries[0]), term: 2)
        batch.append((.recv(from: 1, message: .logRequest, messageID: 9), 2))
        batch.append(.delivered(index: 2, entry: Self.entries[1]), term: 2)
        batch.append(.delivered(index: 4, entry: Self.entries[3]), term: 2)
        batch.append(.delivered(index: 5, entry: Self.entries[3]), term: 3)
        #expect(batch.map(\.term) == [2, 2, 2, 2, 3])
        #expect(Self.lines(batch).map(\.deliveredIndexes) == [[1], [], [2], [4], [5]])
    }

    @Test("proposals fold into the append of their entries, across refusals; a no-op append has no reqs")
    func proposalsFold() {
        var batch = TraceBodyBatch()
        batch.append(.becameLeader(lastIndex: 0, lastTerm: 1), term: 2)
        batch.append(.appended(firstIndex: 1, entries: [.noOp(term: 2)]), term: 2)
        batch.append(.proposed(request: 102, index: 2), term: 2)
        batch.append(.proposalRejected(request: 7, reason: .duplicate(index: 1)), term: 2)
        batch.append(.proposed(request: 103, index: 3), term: 2)
        batch.append(.appended(firstIndex: 2, entries: Array(Self.entries[1...2])), term: 2)
        #expect(Self.lines(batch) == [
            .leader(lastIndex: 0, lastTerm: 1),
            .append(index: 1, entryTerms: [2], digests: [Entry.noOp(term: 2).digest]),
            .proposalRejected(request: 7, reason: "duplicate", index: 1),
            .append(index: 2, entryTerms: [2, 2], digests: Self.entries[1...2].map(\.digest), requests: [102, 103]),
        ])
    }

    @Test("a proposal whose append does not follow is kept as a propose line")
    func unfoldedProposals() {
        var batch = TraceBodyBatch()
        batch.append(.proposed(request: 101, index: 1), term: 2)
        #expect(Self.lines(batch) == [.propose(request: 101, index: 1)], "still waiting at the end of the batch")
        batch.append(.committed(index: 0), term: 2)
        batch.append(.proposed(request: 105, index: 9), term: 2)
        batch.append(.appended(firstIndex: 2, entries: [Self.entries[1]]), term: 2)
        #expect(Self.lines(batch) == [
            .propose(request: 101, index: 1), .commit(index: 0), .propose(request: 105, index: 9),
            .append(index: 2, entryTerms: [2], digests: [Self.entries[1].digest]),
        ])
        var joined = TraceBodyBatch()
        joined.append(.delivered(index: 1, entry: Self.entries[0]), term: 2)
        joined += batch
        #expect(Self.lines(joined).count == 5 && Self.lines(joined).first?.deliveredIndexes == [1])
    }
}

extension TraceBody {
    /// The indexes this line delivers.
    var deliveredIndexes: [Int] {
        var indexes: [Int] = []
        forEachDelivery { index, _, _, _ in indexes.append(index) }
        return indexes
    }
}
