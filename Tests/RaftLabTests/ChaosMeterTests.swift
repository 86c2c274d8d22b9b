@testable import RaftLab
import RaftTrace
import Testing

/// The chaos verdict's own measurements on small hand-written event sequences.
@Suite("Chaos measurements")
struct ChaosMeterTests {
    /// Events at millisecond `ms` (the records' order is the trace's order).
    func event(_ ms: Int64, node: Int, term: UInt64 = 0, _ body: TraceBody) -> TraceRecord {
        TraceRecord(timestampUs: ms * 1000, node: node, incarnation: 1, sequence: 0, term: term, body: body)
    }

    /// Leader 1 of term 2 commits, is killed at 1000 ms; node 3 leads term 3 at 1200 ms and
    /// commits at 1250 ms; node 1 restarts at 1500 ms.
    var killAndFailover: [TraceRecord] {
        [
            event(0, node: 1, term: 2, .leader(lastIndex: 0, lastTerm: 0)),
            event(10, node: 1, term: 2, .commit(index: 1)),
            event(1000, node: -1, .nemesis(action: .kill, targets: [1], detail: nil)),
            event(1200, node: 3, term: 3, .role(.leader, previous: .candidate)),
            event(1200, node: 3, term: 3, .leader(lastIndex: 1, lastTerm: 2)),
            event(1210, node: 2, term: 3, .commit(index: 2)),
            event(1250, node: 3, term: 3, .commit(index: 2)),
            event(1500, node: -1, .nemesis(action: .restart, targets: [1], detail: nil)),
            event(1600, node: 1, term: 2, .start(logLength: 1, commitIndex: 1, votedFor: 1)),
        ]
    }

    @Test("failover runs from the leader's kill to the first commit under the next leader")
    func failoverFromKill() {
        var meter = LeadershipMeter(window: 0...2_000_000)
        for record in killAndFailover { meter.consume(record) }
        meter.finish()
        #expect(meter.failovers.count == 1)
        let failover = meter.failovers[0]
        #expect(failover.action == "kill" && failover.milliseconds == 250, "a follower's commit at 1210 ms does not count")
        #expect(failover.fromNode == 1 && failover.toNode == 3 && failover.toTerm == 3)
        #expect(meter.unresolved.isEmpty)
        // Leader 1 could commit from 10 to 1000 ms, leader 3 from 1250 to 2000 ms.
        #expect(meter.availableUs == 990_000 + 750_000)
        #expect(abs(meter.availability - 0.87) < 1e-9)
    }

    @Test("a fault that misses the leader is no failover; one the leader outlives is counted apart")
    func followerFaultsAndOutlivedPauses() {
        var meter = LeadershipMeter(window: 0...3_000_000)
        let records = [
            event(0, node: 0, term: 1, .leader(lastIndex: 0, lastTerm: 0)),
            event(5, node: 0, term: 1, .commit(index: 1)),
            event(100, node: -1, .nemesis(action: .pause, targets: [4], detail: nil)),
            event(200, node: -1, .nemesis(action: .resume, targets: [4], detail: nil)),
            event(300, node: -1, .nemesis(action: .pause, targets: [0], detail: nil)),
            event(350, node: -1, .nemesis(action: .resume, targets: [0], detail: nil)),
            event(360, node: 0, term: 1, .commit(index: 2)),
        ]
        for record in records { meter.consume(record) }
        meter.finish()
        #expect(meter.failovers.isEmpty)
        #expect(meter.outlived == ["pause": 1])
        // Available 5-300 ms, then again from the commit at 360 ms to the end.
        #expect(meter.availableUs == 295_000 + 2_640_000)
    }

    @Test("a leader fault with no new leader before the next one stays unresolved")
    func unresolvedFailover() {
        var meter = LeadershipMeter(window: 0...1_000_000)
        for record in [
            event(0, node: 2, term: 4, .leader(lastIndex: 0, lastTerm: 0)),
            event(1, node: 2, term: 4, .commit(index: 1)),
            event(100, node: -1, .nemesis(action: .partition, targets: [2], detail: "{2} | {0,1}")),
        ] { meter.consume(record) }
        meter.finish()
        #expect(meter.failovers.isEmpty && meter.unresolved == ["partition": 1])
    }

    @Test("acknowledged writes: lost, misplaced, duplicated, unconfirmed")
    func ledger() {
        var ledger = WriteLedger()
        let records = [
            event(1, node: 0, .deliver(index: 1, entryTerm: 1, digest: 1, request: 0)),
            event(2, node: 0, .deliver(index: 2, entryTerm: 1, digest: 2, request: 100)),
            event(3, node: 1, .deliver(index: 2, entryTerm: 1, digest: 2, request: 100)),
            event(4, node: 0, .deliver(index: 3, entryTerm: 1, digest: 3, request: 101)),
            event(5, node: 0, .deliver(index: 4, entryTerm: 1, digest: 4, request: 101)),
            event(6, node: 0, .ok(client: 0, request: 100, index: 2)),
            event(7, node: 0, .ok(client: 0, request: 102, index: 3)),
            event(8, node: 0, .ok(client: 0, request: 103, index: 9)),
            event(9, node: 0, .ok(client: 0, request: 101, index: 4)),
        ]
        for record in records { ledger.consume(record) }
        let counts = ledger.counts()
        #expect(counts.acknowledged == 4)
        #expect(counts.lost == 2, "102 is not where its ok says (101 is); 101 was first delivered at 3, not 4")
        #expect(counts.unconfirmed == 1, "index 9 was never delivered")
        #expect(counts.duplicates == 1 && counts.conflictingIndexes == 0)

        var clean = WriteLedger()
        for record in records.prefix(4) + [event(6, node: 0, .ok(client: 0, request: 100, index: 2))] { clean.consume(record) }
        #expect(clean.counts() == WriteLedger.Counts(acknowledged: 1))
    }

    @Test("throughput is split between time with a fault active and calm time")
    func throughputSplit() {
        var split = ThroughputSplit(window: 0...4_000_000)
        for record in [
            event(500, node: 0, .ok(client: 0, request: 1, index: 1)),
            event(1000, node: -1, .nemesis(action: .kill, targets: [1], detail: nil)),
            event(1500, node: 0, .ok(client: 0, request: 2, index: 2)),
            event(2000, node: -1, .nemesis(action: .restart, targets: [1], detail: nil)),
            event(2500, node: 0, .ok(client: 0, request: 3, index: 3)),
            event(3000, node: 0, .ok(client: 0, request: 4, index: 4)),
            event(4500, node: 0, .ok(client: 0, request: 5, index: 5)),
        ] { split.consume(record) }
        split.finish()
        #expect(split.faultUs == 1_000_000 && split.calmUs == 3_000_000)
        #expect(split.faultAcknowledged == 1 && split.calmAcknowledged == 3, "the ok after the window is not counted")
        #expect(split.faultRate == 1 && split.calmRate == 1)
    }

    @Test("percentiles are nearest-rank over the samples")
    func percentiles() {
        let summary = FailoverSummary(action: "kill", samplesMs: (1...100).map(Double.init).reversed(), unresolved: 0, outlived: 0)
        #expect(summary.p50Ms == 50 && summary.p99Ms == 99 && summary.maxMs == 100 && summary.count == 100)
        #expect(FailoverSummary(action: "kill", samplesMs: [], unresolved: 1, outlived: 0).p99Ms == nil)
    }
}

extension ChaosMeterTests {
    @Test("striking a deposed leader that still believes it leads is no failover")
    func deposedLeaderIsNoFailover() {
        var meter = LeadershipMeter(window: 0...1_000_000)
        for record in [
            event(0, node: 1, term: 2, .leader(lastIndex: 0, lastTerm: 0)),
            event(100, node: 3, term: 3, .leader(lastIndex: 0, lastTerm: 0)),
            event(110, node: 3, term: 3, .commit(index: 1)),
            event(200, node: -1, .nemesis(action: .kill, targets: [1], detail: nil)),
            event(210, node: 3, term: 3, .commit(index: 2)),
        ] { meter.consume(record) }
        meter.finish()
        #expect(meter.failovers.isEmpty && meter.unresolved.isEmpty && meter.outlived.isEmpty)
        #expect(meter.availableUs == 890_000, "leader 3 could commit from 110 ms on")
    }
}
