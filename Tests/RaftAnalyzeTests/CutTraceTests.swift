import Foundation
import Testing
@testable import RaftAnalyze
import RaftTrace

/// A `kill -9` loses a node's unflushed trace events. When those are a follower's
/// `truncate` and `append` that replaced stale entries, its trace still shows the stale
/// ones: after such a crash the analyzer must treat them as unknown (no false alarm), yet
/// still catch a restarted node that really lacks or contradicts a committed entry. A clean
/// restart (the incarnation ended with `stop`, nothing was lost) keeps the stale entries as
/// facts, exactly as before.
@Suite("Restarts after a cut trace")
struct CutTraceTests {
    /// Entry 2 that leader 0 of term 1 wrote and only node 4 took.
    static let staleDigest: UInt64 = 0x57a1e
    /// Entry 2 that leader 1 of term 2 committed on nodes 1, 2 and 3.
    static let newDigest: UInt64 = 0x2222
    static let newRequest: UInt64 = 21

    /// What became of node 4's catch-up with leader 1 (truncate to 1, append entry 2 of
    /// term 2, commit, deliver) before node 4 went down.
    enum CatchUp {
        /// It happened, but the events were still in memory when node 4 was killed.
        case lost
        /// It happened and the events reached the file before node 4 was killed.
        case written
        /// It never happened: node 4 still holds the stale entry and stops cleanly.
        case neverHappenedThenStopped
    }

    /// Five nodes. Leader 0 of term 1 commits entry 1 everywhere, then writes entry 2 (term
    /// 1) that only node 4 takes. Node 1 wins term 2 with the votes of 2 and 3 (node 4, with
    /// the longer log, refuses) and commits its own entry 2 (term 2) on 1, 2 and 3. Node 4
    /// then goes down (`catchUp` says how) and restarts with a durable log of `logLength`
    /// entries and commit index `commitIndex`.
    static func staleFollower(_ catchUp: CatchUp, logLength: Int = 2, commitIndex: Int) -> TraceScript {
        var script = TraceScript()
        script.startCluster(5)
        script.elect(0, term: 1, of: 5)
        script.replicate(index: 1, term: 1, request: 11, on: [0, 1, 2, 3, 4])
        script.node(0, term: 1, .append(index: 2, entryTerms: [1], digests: [staleDigest]))
        script.node(4, term: 1, .append(index: 2, entryTerms: [1], digests: [staleDigest]))

        script.node(1, term: 2, .term(from: 1))
        script.node(1, term: 2, .role(.candidate, previous: .follower))
        for voter in [2, 3, 4] {
            script.node(voter, term: 2, .term(from: 1))
            script.node(voter, term: 2, .vote(candidate: 1, granted: voter != 4, preVote: false))
        }
        script.node(1, term: 2, .role(.leader, previous: .candidate))
        script.node(1, term: 2, .leader(lastIndex: 1, lastTerm: 1))
        script.replicate(index: 2, term: 2, request: newRequest, on: [1, 2, 3], digest: newDigest)

        switch catchUp {
        case .lost:
            break
        case .written:
            script.node(4, term: 2, .truncate(length: 1))
            script.node(4, term: 2, .append(index: 2, entryTerms: [2], digests: [newDigest]))
            script.node(4, term: 2, .commit(index: 2))
            script.node(4, term: 2, .deliver(index: 2, entryTerm: 2, digest: newDigest, request: newRequest))
        case .neverHappenedThenStopped:
            script.node(4, term: 2, .stop)
        }
        script.restart(4, term: 2, logLength: logLength, commitIndex: commitIndex)
        return script
    }

    /// Leader 1 replicates entry 3 (term 2) to 1–4, all commit it, node 4 delivers what it
    /// had not delivered before its crash (entry 2 as `entry2`), then 3.
    static func node4Delivers(_ script: inout TraceScript, durableCommit: Int,
                              entry2: (term: UInt64, digest: UInt64) = (2, newDigest)) {
        script.node(1, term: 2, .propose(request: 22, index: 3))
        for id in [1, 2, 3, 4] { script.node(id, term: 2, .append(index: 3, entryTerms: [2], digests: [0x3333])) }
        for id in [1, 2, 3, 4] { script.node(id, term: 2, .commit(index: 3)) }
        for id in [1, 2, 3] { script.node(id, term: 2, .deliver(index: 3, entryTerm: 2, digest: 0x3333, request: 22)) }
        if durableCommit < 2 {
            script.node(4, term: 2, .deliver(index: 2, entryTerm: entry2.term, digest: entry2.digest, request: newRequest))
        }
        script.node(4, term: 2, .deliver(index: 3, entryTerm: 2, digest: 0x3333, request: 22))
    }

    /// Leader 1 stops; node 4 wins term 3 with the votes of 2 and 3, reporting `lastTerm`
    /// for its log of `lastIndex` entries.
    static func node4Leads(_ script: inout TraceScript, lastIndex: Int = 2, lastTerm: UInt64) {
        script.node(1, term: 2, .stop)
        script.node(4, term: 3, .term(from: 2))
        script.node(4, term: 3, .role(.candidate, previous: .follower))
        for voter in [2, 3] {
            script.node(voter, term: 3, .term(from: 2))
            script.node(voter, term: 3, .vote(candidate: 4, granted: true, preVote: false))
        }
        script.node(4, term: 3, .role(.leader, previous: .candidate))
        script.node(4, term: 3, .leader(lastIndex: lastIndex, lastTerm: lastTerm))
    }

    /// Leader 4 of term 3 commits its no-op at index 3 with nodes 2 and 3.
    static func node4CommitsNoOp(_ script: inout TraceScript) {
        for id in [4, 2, 3] { script.node(id, term: 3, .append(index: 3, entryTerms: [3], digests: [0x4444])) }
        for id in [4, 2, 3] { script.node(id, term: 3, .commit(index: 3)) }
    }

    /// `script`'s report, written to and read from a temporary file.
    static func analyze(_ script: TraceScript) throws -> AnalysisReport {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        return try script.analyze(in: directory)
    }

    /// Expects `script` to break `property` and nothing else, first with `message`.
    static func expectViolation(_ script: TraceScript, only property: SafetyProperty, message: String,
                                sourceLocation: SourceLocation = #_sourceLocation) throws {
        let report = try analyze(script)
        #expect(report.violated == [property], Comment(rawValue: report.text), sourceLocation: sourceLocation)
        #expect(report.check(property).violations.first?.message == message, sourceLocation: sourceLocation)
    }

    // MARK: a legitimate run whose trace was cut: no false alarm

    @Test("a follower killed before its truncate and append were written, then delivering: safe", arguments: [1, 2])
    func cutFollowerDelivers(durableCommit: Int) throws {
        var script = Self.staleFollower(.lost, commitIndex: durableCommit)
        Self.node4Delivers(&script, durableCommit: durableCommit)
        let report = try Self.analyze(script)
        #expect(report.violated.isEmpty, Comment(rawValue: report.text))
        #expect(report.nodes.first { $0.node == 4 }?.restarts == 1)
    }

    @Test("a follower killed before its truncate and append were written, then leading: safe", arguments: [1, 2])
    func cutFollowerLeads(durableCommit: Int) throws {
        var script = Self.staleFollower(.lost, commitIndex: durableCommit)
        Self.node4Leads(&script, lastTerm: 2)
        Self.node4CommitsNoOp(&script)
        let report = try Self.analyze(script)
        #expect(report.violated.isEmpty, Comment(rawValue: report.text))
        #expect(report.statistics.committedEntries == 3)
    }

    /// `records` through a `LogChecker` alone; `seesCrashes: false` takes every restart as
    /// clean (the rule before cut traces were understood). `inspect` sees each record after it.
    static func check(_ records: some Sequence<TraceRecord>, seesCrashes: Bool = true,
                      inspect: (TraceRecord, StreamTracker.IncarnationChange, LogChecker) -> Void = { _, _, _ in }) -> LogChecker {
        let checker = LogChecker(files: ["trace"])
        var streams = StreamTracker()
        for (line, record) in records.enumerated() {
            let location = EventLocation(file: 0, line: line + 1)
            let change = streams.consume(record, at: location, files: ["trace"])
            checker.consume(record, at: location, afterCrash: seesCrashes && change == .restartedAfterCrash)
            inspect(record, change, checker)
        }
        return checker
    }

    @Test("a cut follower that later takes entries from the leader learns the prefix it agreed on")
    func cutFollowerLearnsFromLeader() throws {
        var script = Self.staleFollower(.lost, commitIndex: 1)
        script.node(1, term: 2, .append(index: 3, entryTerms: [2], digests: [0x3333]))
        script.node(4, term: 2, .append(index: 3, entryTerms: [2], digests: [0x3333]))
        var unknownAfterRestart: Int?
        let checker = Self.check(script.records) { record, change, checker in
            if case .start = record.body, record.node == 4, change.isRestart { unknownAfterRestart = checker.nodes[4].shadow.unknownEntryCount }
        }
        #expect(unknownAfterRestart == 1, "entry 2, above the commit index 1 the trace showed, is unknown after the crash")
        let shadow = checker.nodes[4].shadow
        #expect(shadow.unknownEntryCount == 0)
        #expect(shadow.entry(2, committed: checker.committed) == (term: 2, digest: Self.newDigest))
    }

    /// `traces/samples/sim-cut-follower/trace.jsonl.gz` of this checkout.
    static let cutSamplePath = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("traces/samples/sim-cut-follower/trace.jsonl.gz").path

    @Test("the sim-cut-follower sample is safe, and would not be if its crashes were taken as clean restarts")
    func cutSample() throws {
        let report = try Analysis.run(AnalysisInputs(paths: [Self.cutSamplePath]), strict: true)
        #expect(report.isSafe, Comment(rawValue: report.text))
        #expect(report.nodes.first { $0.node == 2 }?.restarts == 1)
        let reader = try TraceReader(path: Self.cutSamplePath)
        var records: [TraceRecord] = []
        while let record = try reader.next() { records.append(record) }
        let unaware = Self.check(records, seesCrashes: false).violations.results()
        #expect(unaware.first { $0.property == SafetyProperty.stateMachineSafety.rawValue }?.violations.first?.message
                == "node 2 committed index 3 as term 1 digest 764c084160dfbdca, but node 0 committed term 2 digest cbf29ce484222325")
    }

    // MARK: the same shape with a real violation: still caught

    @Test("a node that restarts without an entry it was seen committing, then leads: caught")
    func restartBelowOwnCommit() throws {
        var script = Self.staleFollower(.written, logLength: 1, commitIndex: 1)
        Self.node4Leads(&script, lastIndex: 1, lastTerm: 1)
        let report = try Self.analyze(script)
        #expect(report.violated == [.logMatching, .leaderCompleteness], Comment(rawValue: report.text))
        #expect(report.check(.logMatching).violations.first?.message
                == "node 4 restarted with 1 entries but had committed 2: committed entries were not durable")
        #expect(report.check(.leaderCompleteness).violations.first?.message
                == "leader 4 of term 3 holds 1 entries, but node 1 committed up to index 2 in term 2")
    }

    @Test("a cut follower whose durable log is shorter than a committed entry, then leads: caught")
    func cutFollowerShortLogLeads() throws {
        var script = Self.staleFollower(.lost, logLength: 1, commitIndex: 1)
        Self.node4Leads(&script, lastIndex: 1, lastTerm: 1)
        try Self.expectViolation(script, only: .leaderCompleteness,
                                 message: "leader 4 of term 3 holds 1 entries, but node 1 committed up to index 2 in term 2")
    }

    @Test("a cut follower that delivers the stale entry at a committed index: caught")
    func cutFollowerDeliversStale() throws {
        var script = Self.staleFollower(.lost, commitIndex: 1)
        Self.node4Delivers(&script, durableCommit: 1, entry2: (1, Self.staleDigest))
        try Self.expectViolation(script, only: .stateMachineSafety,
                                 message: "node 4 delivered index 2 as term 1 digest \(TraceDigest.hex(Self.staleDigest)), but node 1 has term 2 digest \(TraceDigest.hex(Self.newDigest)) there")
    }

    @Test("a cut follower that leads with a last_term below a committed entry's: caught")
    func cutFollowerLeadsWithStaleLastTerm() throws {
        var script = Self.staleFollower(.lost, commitIndex: 1)
        Self.node4Leads(&script, lastTerm: 1)
        try Self.expectViolation(script, only: .leaderCompleteness,
                                 message: "leader 4 of term 3 won with last_term 1 at last_index 2, so its entry 2 has a term of at most 1, but the committed entry there has term 2 (committed up to 2 by node 1 in term 2)")
    }

    // MARK: a clean restart: nothing was lost, the stale entry is a fact

    @Test("after a clean stop the stale entry is still there: delivering past it is flagged as before")
    func cleanRestartDelivers() throws {
        var script = Self.staleFollower(.neverHappenedThenStopped, commitIndex: 1)
        Self.node4Delivers(&script, durableCommit: 1)
        try Self.expectViolation(script, only: .stateMachineSafety,
                                 message: "node 4 committed index 2 as term 1 digest \(TraceDigest.hex(Self.staleDigest)), but node 1 committed term 2 digest \(TraceDigest.hex(Self.newDigest))")
    }

    @Test("after a clean stop the stale entry is still there: leading with it is flagged as before")
    func cleanRestartLeads() throws {
        var script = Self.staleFollower(.neverHappenedThenStopped, commitIndex: 1)
        Self.node4Leads(&script, lastTerm: 2)
        try Self.expectViolation(script, only: .leaderCompleteness,
                                 message: "leader 4 of term 3 has term 1 at index 2 where the committed entry has term 2 (committed up to 2 by node 1 in term 2)")
    }
}

@Suite("LogShadow after a cut trace")
struct LogShadowForgetTests {
    @Test("forget keeps the committed prefix, makes the rest unknown, also inside the matched prefix")
    func forget() {
        var committed = CommittedLog()
        _ = committed.extend(to: 3)
        for index in 1...3 { committed.set(index, term: 1, digest: UInt64(index), node: 0, location: EventLocation(file: 0, line: index)) }
        var shadow = LogShadow()
        _ = shadow.append(at: 1, terms: [1, 1, 1, 2], digests: [1, 2, 3, 4], committed: committed)
        shadow.fold(upTo: 3, committed: committed)
        #expect(shadow.matched == 3 && shadow.length == 4)
        shadow.forget(above: 1, committed: committed)
        #expect(shadow.matched == 1 && shadow.length == 4 && shadow.unknownEntryCount == 3)
        #expect(shadow.entry(1, committed: committed) == (term: 1, digest: 1))
        #expect(shadow.entry(2, committed: committed).term == CommittedLog.unknownTerm)
        // A later commit up to 3 takes the unknown committed entries to be the committed ones.
        shadow.fold(upTo: 3, committed: committed)
        #expect(shadow.matched == 3 && shadow.unknownEntryCount == 1)
        shadow.fillUnknown(4, term: 2, digest: 4)
        #expect(shadow.unknownEntryCount == 0 && shadow.entry(4, committed: committed) == (term: 2, digest: 4))
    }
}
