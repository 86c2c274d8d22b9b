import Foundation
import Testing
@testable import RaftAnalyze
import RaftTrace

/// Each property fires on a trace crafted to break it, and only that property does; the
/// evidence names the lines that show it.
@Suite("Safety checks on crafted traces")
struct SafetyCheckTests {
    /// A healthy three-node history: node 0 leads term 1 and commits two entries.
    static func healthy() -> TraceScript {
        var script = TraceScript()
        script.startCluster(3)
        script.elect(0, term: 1, of: 3)
        script.client(0, .invoke(client: 1, request: 11))
        script.node(0, term: 1, .propose(request: 11, index: 1))
        script.replicate(index: 1, term: 1, request: 11, on: [0, 1, 2])
        script.client(0, .ok(client: 1, request: 11, index: 1))
        script.client(0, .invoke(client: 1, request: 12))
        script.node(0, term: 1, .propose(request: 12, index: 2))
        script.replicate(index: 2, term: 1, request: 12, on: [0, 1, 2])
        script.client(0, .ok(client: 1, request: 12, index: 2))
        return script
    }

    @Test("a healthy history passes every check")
    func healthyPasses() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let report = try Self.healthy().analyze(in: directory)
        #expect(report.violated.isEmpty, Comment(rawValue: report.text))
        #expect(report.statistics.committedEntries == 2)
        #expect(report.statistics.acknowledged == 2)
        #expect(report.statistics.elections == 1)
        #expect(report.streamGapCount == 0)
    }

    /// Node 2 is cut off after index 1; nodes 0 and 1 commit up to 4; node 2 installs the
    /// leader's snapshot through 4 (term 1) and gets entry 5 delivered.
    static func withInstall(snapshotTerm: UInt64 = 1) -> (script: TraceScript, installLine: Int) {
        var script = TraceScript()
        script.startCluster(3)
        script.elect(0, term: 1, of: 3)
        script.replicate(index: 1, term: 1, request: 11, on: [0, 1, 2])
        for index in 2...4 { script.replicate(index: index, term: 1, request: UInt64(10 + index), on: [0, 1]) }
        script.node(0, term: 1, .snapshot(index: 4, entryTerm: 1, bytes: 40, compacted: 2))
        let line = script.node(2, term: 1, .install(index: 4, entryTerm: snapshotTerm, bytes: 40))
        script.replicate(index: 5, term: 1, request: 15, on: [0, 1, 2])
        return (script, line)
    }

    @Test("a follower that installs the leader's snapshot and goes on delivering after it passes every check")
    func installPasses() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let report = try Self.withInstall().script.analyze(in: directory)
        #expect(report.violated.isEmpty, Comment(rawValue: report.text))
    }

    @Test("State Machine Safety: a snapshot whose last entry is not the committed one there")
    func installOfAnotherEntry() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let (script, line) = Self.withInstall(snapshotTerm: 2)
        let report = try script.analyze(in: directory)
        #expect(report.violated.contains(.stateMachineSafety), Comment(rawValue: report.text))
        let violation = try #require(report.check(.stateMachineSafety).violations.first)
        #expect(violation.message.contains("installed a snapshot through index 4 of term 2"))
        #expect(violation.evidence.last?.location == directory.file("trace.jsonl.gz") + ":\(line)")
    }

    @Test("State Machine Safety: a snapshot taken beyond the node's commit index")
    func snapshotAheadOfCommit() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var script = Self.healthy()
        script.node(1, term: 1, .append(index: 3, entryTerms: [1], digests: [77]))
        script.node(1, term: 1, .snapshot(index: 3, entryTerm: 1, bytes: 8, compacted: 0))
        let report = try script.analyze(in: directory)
        #expect(report.violated == [.stateMachineSafety], Comment(rawValue: report.text))
        #expect(report.check(.stateMachineSafety).violations.first?.message.contains("beyond its commit index 2") == true)
    }

    @Test("Election Safety: two leaders of one term")
    func twoLeaders() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var script = Self.healthy()
        let line = script.node(2, term: 1, .leader(lastIndex: 2, lastTerm: 1))
        let report = try script.analyze(in: directory)
        #expect(report.violated == [.electionSafety])
        let violation = try #require(report.check(.electionSafety).violations.first)
        #expect(violation.message.contains("nodes 0 and 2 both became leader of term 1"))
        #expect(violation.evidence.last?.location == directory.file("trace.jsonl.gz") + ":\(line)")
    }

    @Test("Election Quorum: a leader needs a majority of the voters of its configuration; a learner's vote does not count, a removed voter's neither")
    func electionQuorum() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var script = Self.healthy()
        for id in 0...3 { script.node(id, term: 1, .member(index: 3, voters: [0, 1, 2], learners: [3])) }
        script.node(1, term: 2, .term(from: 1))
        script.node(1, term: 2, .role(.candidate, previous: .follower))
        script.node(3, term: 2, .term(from: 1))
        script.node(3, term: 2, .vote(candidate: 1, granted: true, preVote: false))
        let line = script.node(1, term: 2, .leader(lastIndex: 3, lastTerm: 1))
        let report = try script.analyze(in: directory)
        #expect(report.violated == [.electionQuorum], Comment(rawValue: report.text))
        let violation = try #require(report.check(.electionQuorum).violations.first)
        #expect(violation.message.contains("node 1 became leader of term 2 with the votes of [1] of its voters [0, 1, 2] (2 needed); votes of non-voters [3] do not count"),
                "\(violation.message)")
        #expect(violation.evidence.last?.location == directory.file("trace.jsonl.gz") + ":\(line)")

        // With 2's vote instead it holds, under the same configuration; and a single voter
        // leads on its own vote.
        var fair = Self.healthy()
        for id in 0...3 { fair.node(id, term: 1, .member(index: 3, voters: [0, 1, 2], learners: [3])) }
        fair.elect(1, term: 2, of: 3, lastIndex: 3, lastTerm: 1)
        fair.node(1, term: 2, .member(index: 5, voters: [1], learners: []))
        fair.node(1, term: 3, .term(from: 2))
        fair.node(1, term: 3, .role(.candidate, previous: .leader))
        fair.node(1, term: 3, .leader(lastIndex: 5, lastTerm: 2))
        let fine = try fair.analyze(in: TemporaryDirectory())
        #expect(fine.violated.isEmpty, Comment(rawValue: fine.text))
    }

    @Test("Term Monotonicity: a term that comes back lower after a restart")
    func termGoesBack() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var script = Self.healthy()
        script.restart(1, term: 0, logLength: 2, commitIndex: 2)
        let report = try script.analyze(in: directory)
        #expect(report.violated == [.termMonotonicity])
        #expect(report.check(.termMonotonicity).violations[0].message.contains("across a restart"))
    }

    @Test("Vote Safety: two votes in one term across a restart; pre-votes do not count")
    func doubleVote() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var script = Self.healthy()
        script.node(1, term: 2, .term(from: 1))
        script.node(1, term: 2, .vote(candidate: 2, granted: false, preVote: true))
        script.node(1, term: 2, .vote(candidate: 0, granted: true, preVote: true))
        script.node(1, term: 2, .vote(candidate: 2, granted: true, preVote: false))
        var safe = script
        #expect(try safe.analyze(in: directory, name: "safe.jsonl.gz").isSafe)
        script.restart(1, term: 2, logLength: 2, commitIndex: 2, votedFor: nil)
        script.node(1, term: 2, .vote(candidate: 0, granted: true, preVote: false))
        safe.node(1, term: 2, .vote(candidate: 2, granted: true, preVote: false))
        #expect(try safe.analyze(in: directory, name: "again.jsonl.gz").isSafe, "voting twice for the same candidate is fine")
        let report = try script.analyze(in: directory)
        #expect(report.violated == [.voteSafety])
        #expect(report.check(.voteSafety).violations[0].message == "node 1 voted for 2 and then for 0 in term 2 across a restart: the vote was not persisted")
        #expect(report.check(.voteSafety).violations[0].evidence.count == 2)
    }

    @Test("Vote Safety: a candidate votes for itself")
    func candidateVotesForItself() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var script = Self.healthy()
        script.node(1, term: 2, .term(from: 1))
        script.node(1, term: 2, .role(.candidate, previous: .follower))
        script.node(1, term: 2, .vote(candidate: 2, granted: true, preVote: false))
        #expect(try script.analyze(in: directory).violated == [.voteSafety])
    }

    @Test("State Machine Safety: two nodes deliver different payloads at one index")
    func differentDeliveries() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var script = TraceScript()
        script.startCluster(3)
        script.elect(0, term: 1, of: 3)
        script.replicate(index: 1, term: 1, request: 5, on: [0, 1])
        script.node(2, term: 1, .append(index: 1, entryTerms: [1], digests: [0xbad]))
        script.node(2, term: 1, .commit(index: 1))
        script.node(2, term: 1, .deliver(index: 1, entryTerm: 1, digest: 0xbad, request: 5))
        let report = try script.analyze(in: directory)
        #expect(report.violated == [.stateMachineSafety])
        let message = report.check(.stateMachineSafety).violations[0].message
        #expect(message.contains("node 2 committed index 1 as term 1 digest 0000000000000bad"), "\(message)")
    }

    @Test("Log Matching: committed entries truncated")
    func truncatedCommitted() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var script = Self.healthy()
        script.node(2, term: 1, .truncate(length: 1))
        let report = try script.analyze(in: directory)
        #expect(report.violated == [.logMatching])
    }

    @Test("Commit Monotonicity: the commit index goes back within an incarnation, not across one")
    func commitGoesBack() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var restarted = Self.healthy()
        restarted.restart(2, term: 1, logLength: 2, commitIndex: 1)
        restarted.node(2, term: 1, .commit(index: 2))
        #expect(try restarted.analyze(in: directory, name: "restart.jsonl.gz").isSafe)
        var script = Self.healthy()
        script.node(1, term: 1, .commit(index: 1))
        #expect(try script.analyze(in: directory).violated == [.commitMonotonicity])
    }

    @Test("Delivery Order: a gap, and a repeat within an incarnation")
    func deliveryGap() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var script = TraceScript()
        script.startCluster(1)
        script.elect(0, term: 1, of: 1)
        for index in 1...3 { script.node(0, term: 1, .append(index: index, entryTerms: [1], digests: [UInt64(index)])) }
        script.node(0, term: 1, .commit(index: 3))
        script.node(0, term: 1, .deliver(index: 1, entryTerm: 1, digest: 1, request: 1))
        script.node(0, term: 1, .deliver(index: 3, entryTerm: 1, digest: 3, request: 3))
        script.node(0, term: 1, .deliver(index: 3, entryTerm: 1, digest: 3, request: 3))
        let report = try script.analyze(in: directory)
        #expect(report.violated == [.deliveryOrder])
        #expect(report.check(.deliveryOrder).violationCount == 2)
    }

    @Test("Leader Completeness: a new leader lacks an entry committed in an earlier term")
    func incompleteLeader() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var script = TraceScript()
        script.startCluster(3)
        script.elect(0, term: 1, of: 3)
        script.replicate(index: 1, term: 1, request: 7, on: [0, 1])
        script.elect(2, term: 2, of: 3)
        let report = try script.analyze(in: directory)
        #expect(report.violated == [.leaderCompleteness])
        #expect(report.check(.leaderCompleteness).violations[0].message.contains("leader 2 of term 2 holds 0 entries"))
    }

    @Test("Leader Completeness: a sitting leader of a later term learns of an earlier commit it lacks")
    func incompleteLeaderLater() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var script = TraceScript()
        script.startCluster(3)
        script.elect(0, term: 1, of: 3)
        script.node(0, term: 1, .append(index: 1, entryTerms: [1], digests: [1]))
        script.node(1, term: 1, .append(index: 1, entryTerms: [1], digests: [1]))
        // Node 2 wins term 2 with node 1's vote only; node 0, still in term 1, then commits.
        script.node(2, term: 2, .term(from: 0))
        script.node(2, term: 2, .role(.candidate, previous: .follower))
        script.node(1, term: 2, .term(from: 1))
        script.node(1, term: 2, .vote(candidate: 2, granted: true, preVote: false))
        script.node(2, term: 2, .role(.leader, previous: .candidate))
        script.node(2, term: 2, .leader(lastIndex: 0, lastTerm: 0))
        script.node(0, term: 1, .commit(index: 1))
        let report = try script.analyze(in: directory)
        #expect(report.violated == [.leaderCompleteness], Comment(rawValue: report.text))
    }

    @Test("Leader Completeness: a leader whose own last_index falls short of what was committed")
    func leaderReportsShortLog() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var script = Self.healthy()
        // Node 2 holds both entries by its append events, yet says it won term 2 with one.
        script.node(2, term: 2, .term(from: 1))
        script.node(2, term: 2, .role(.candidate, previous: .follower))
        script.node(1, term: 2, .term(from: 1))
        script.node(1, term: 2, .vote(candidate: 2, granted: true, preVote: false))
        script.node(2, term: 2, .role(.leader, previous: .candidate))
        script.node(2, term: 2, .leader(lastIndex: 1, lastTerm: 1))
        let report = try script.analyze(in: directory)
        #expect(report.violated == [.leaderCompleteness], Comment(rawValue: report.text))
        #expect(report.check(.leaderCompleteness).violations.first?.message
                == "leader 2 of term 2 reports last_index 1, but node 0 committed up to index 2 in term 1")
    }

    @Test("Durability: an acknowledged request that never commits, and one committed twice")
    func durability() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var script = Self.healthy()
        script.client(0, .ok(client: 1, request: 99, index: 2))
        var unconfirmed = Self.healthy()
        unconfirmed.client(0, .ok(client: 1, request: 98, index: 3))
        var twice = Self.healthy()
        twice.replicate(index: 3, term: 1, request: 12, on: [0, 1, 2])
        let lost = try script.analyze(in: directory, name: "lost.jsonl.gz")
        #expect(lost.violated == [.durability])
        #expect(lost.check(.durability).violations[0].message == "request 99 was acknowledged ok but is not in the committed sequence (index 2 holds request 12)")
        let unknown = try unconfirmed.analyze(in: directory, name: "unconfirmed.jsonl.gz")
        #expect(unknown.violated.isEmpty, "index 3 was never seen committed: nothing refutes the ok")
        #expect(unknown.check(.durability).notes.first?.hasPrefix("1 acknowledged request(s) could not be confirmed") == true)
        let duplicated = try twice.analyze(in: directory)
        #expect(duplicated.violated == [.durability])
        #expect(duplicated.check(.durability).violations[0].message == "request 12 was delivered at index 3 and at index 2")
    }

    @Test("Durability: once every node stopped cleanly, an acknowledgement beyond the committed sequence is a loss")
    func durabilityAfterCleanStops() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var beyond = Self.healthy()
        beyond.client(0, .ok(client: 1, request: 98, index: 3))
        var withoutIndex = Self.healthy()
        withoutIndex.client(0, .ok(client: 1, request: 97, index: nil))
        for id in 0..<3 {
            beyond.node(id, term: 1, .stop)
            withoutIndex.node(id, term: 1, .stop)
        }
        let lost = try beyond.analyze(in: directory, name: "beyond.jsonl.gz")
        #expect(lost.violated == [.durability], Comment(rawValue: lost.text))
        #expect(lost.check(.durability).violations.first?.message
                == "request 98 was acknowledged ok but is not in the committed sequence (acknowledged at index 3; the committed sequence ends at 2 and every node stopped cleanly)")
        let lostWithoutIndex = try withoutIndex.analyze(in: directory, name: "without-index.jsonl.gz")
        #expect(lostWithoutIndex.violated == [.durability], Comment(rawValue: lostWithoutIndex.text))

        // The same acknowledgement while node 2 is still running (or crashed) stays a note:
        // the entry's commit may be among its unflushed events.
        var running = Self.healthy()
        running.client(0, .ok(client: 1, request: 98, index: 3))
        running.node(0, term: 1, .stop)
        running.node(1, term: 1, .stop)
        let unconfirmed = try running.analyze(in: directory, name: "running.jsonl.gz")
        #expect(unconfirmed.violated.isEmpty, Comment(rawValue: unconfirmed.text))
        #expect(unconfirmed.check(.durability).notes.count == 1)

        // So does one acknowledged by a node whose trace is not among the inputs.
        var partial = Self.healthy()
        partial.client(3, .ok(client: 1, request: 98, index: 3))
        for id in 0..<3 { partial.node(id, term: 1, .stop) }
        let withoutAcker = try partial.analyze(in: directory, name: "partial.jsonl.gz")
        #expect(withoutAcker.violated.isEmpty, Comment(rawValue: withoutAcker.text))
        #expect(withoutAcker.check(.durability).notes.count == 1)
    }

    @Test("Durability: an acknowledgement whose commit events were lost is covered by the restarts' durable commit")
    func acknowledgedCommitLostInCrashes() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        // Entry 3 is committed, delivered and acknowledged, but nodes 0 and 1 crash before
        // writing their commit and deliver events; their restarts say it is durably committed.
        func script(durableCommit: Int) -> TraceScript {
            var script = Self.healthy()
            script.node(0, term: 1, .append(index: 3, entryTerms: [1], digests: [33]))
            script.node(1, term: 1, .append(index: 3, entryTerms: [1], digests: [33]))
            script.client(0, .ok(client: 1, request: 13, index: 3))
            script.restart(0, term: 1, logLength: 3, commitIndex: durableCommit)
            script.restart(1, term: 1, logLength: 3, commitIndex: durableCommit)
            for id in 0..<3 { script.node(id, term: 1, .stop) }
            return script
        }
        let covered = try script(durableCommit: 3).analyze(in: directory, name: "covered.jsonl.gz")
        #expect(covered.violated.isEmpty, Comment(rawValue: covered.text))
        #expect(covered.check(.durability).notes.first?.hasPrefix("1 acknowledged request(s) could not be confirmed") == true)
        let uncovered = try script(durableCommit: 2).analyze(in: directory, name: "uncovered.jsonl.gz")
        #expect(uncovered.violated == [.durability], "no surviving event, not even a durable commit index, reaches index 3")
    }

    @Test("lost events after a crash are tolerated: a restart's start pads the log")
    func lostTailAfterCrash() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var script = Self.healthy()
        // Node 2's events for entry 3 were lost with its unflushed buffer; it restarts holding it.
        script.node(0, term: 1, .append(index: 3, entryTerms: [1], digests: [33]))
        script.node(1, term: 1, .append(index: 3, entryTerms: [1], digests: [33]))
        script.node(0, term: 1, .commit(index: 3))
        script.restart(2, term: 1, logLength: 3, commitIndex: 3)
        script.node(2, term: 1, .deliver(index: 3, entryTerm: 1, digest: 33, request: 13))
        script.node(0, term: 1, .deliver(index: 3, entryTerm: 1, digest: 33, request: 13))
        let report = try script.analyze(in: directory)
        #expect(report.violated.isEmpty, Comment(rawValue: report.text))
        #expect(report.nodes.first { $0.node == 2 }?.restarts == 1)
    }
}

@Suite("Hostile values")
struct HostileValueTests {
    @Test("absurd indexes and node ids are noted and ignored, not allocated")
    func absurdIndexes() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var script = SafetyCheckTests.healthy()
        script.node(1, term: 1, .append(index: 1 << 50, entryTerms: [1], digests: [1]))
        script.node(1, term: 1, .commit(index: 1 << 50))
        script.node(2, term: 1, .deliver(index: 1 << 50, entryTerm: 1, digest: 1, request: 77))
        script.node(1 << 20, term: 1, .leader(lastIndex: 0, lastTerm: 0))
        script.restart(0, term: 1, logLength: 1 << 50, commitIndex: 2)
        let report = try script.analyze(in: directory)
        #expect(report.check(.logMatching).notes.contains { $0.contains("were ignored") })
        #expect(report.check(.stateMachineSafety).notes.contains { $0.contains("ignored") })
    }
}
