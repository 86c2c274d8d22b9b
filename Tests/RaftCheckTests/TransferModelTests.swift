import RaftCore
import TestGate
import Testing
@testable import RaftCheck

/// The model with leadership transfer on (`--transfers`): a leader may be asked at any step
/// to hand over to another voter; it sends `TimeoutNow` once the target's log is up to date,
/// and the target campaigns at once. Every property holds with leaders handing over.
@Suite(.exclusive)
struct TransferModelTests {
    /// 1 leads term 1 and tells 2 it leads; then 1 is asked to hand over to 2.
    static let handOver = [
        "Timeout(1, election)",
        "1 → 0 VoteRequest(term: 1, logLength: 0, lastLogTerm: 0)",
        "0 → 1 VoteResponse(term: 1, granted: true)",
        "1 → 2 LogRequest(term: 1, prefixLength: 0, prefixTerm: 0, leaderCommit: 0, suffix: [])",
        "TransferLeader(1, 2)",
        "1 → 2 TimeoutNow(term: 1)",
        "2 → 0 VoteRequest(term: 2, logLength: 0, lastLogTerm: 0, transfer: true)",
        "0 → 2 VoteResponse(term: 2, granted: true)",
    ]

    @Test("leader 1 hands over to 2: 2 campaigns on TimeoutNow, 0's vote elects it, and 1 refuses a second request meanwhile")
    func handOverElectsTheTarget() throws {
        let model = RaftModel(RaftModelConfiguration(transfers: true))
        let steps = try model.path(following: Self.handOver)
        let requested = model.snapshot(of: steps[Self.handOver.firstIndex(of: "TransferLeader(1, 2)")! + 1].state)
        #expect(requested.servers[1].node?.transferTarget == 2)
        let afterRequest = steps[5].state
        #expect(!model.successors(of: afterRequest).map { model.label(of: $0.0) }.contains { $0.hasPrefix("TransferLeader(") },
                "one transfer at a time")
        let end = model.snapshot(of: try #require(steps.last).state)
        #expect(end.servers[2].node?.role == .leader)
        #expect(end.servers[2].node?.currentTerm == 2)
        #expect(steps.allSatisfy { model.failingAlwaysProperties(in: $0.state, reachedBy: $0).isEmpty })

        // Without --transfers the request is not an action.
        #expect(throws: ReplayError.self) { try RaftModel().path(following: Self.handOver) }
    }

    @Test("random walks request transfers, send TimeoutNow and elect on it")
    func walksTransferLeadership() {
        let model = RaftModel(RaftModelConfiguration(crashMode: .restart, profile: .full, transfers: true))
        let seen = model.kindsReached(seed: 11) { label in
            (label.hasPrefix("TransferLeader(") ? ["request"] : []) + (label.contains("TimeoutNow") ? ["TimeoutNow"] : [])
                + (label.contains("VoteRequest") && label.contains("transfer: true") ? ["campaign"] : [])
        }
        #expect(seen == ["request", "TimeoutNow", "campaign"])
    }

    @Test("the correct core is clean with transfers (lite crash-stop depth 12, crash-restart depth 10, full profile depth 12 with symmetry)")
    func correctCoreIsClean() {
        expectCleanExhaustively([(RaftModelConfiguration(crashMode: .stop, transfers: true), 12),
                                 (RaftModelConfiguration(crashMode: .restart, transfers: true), 10),
                                 (RaftModelConfiguration(crashMode: .restart, profile: .full, symmetry: true, transfers: true), 12)])
    }
}
