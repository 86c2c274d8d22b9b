import RaftCore
import RaftSim
import TestGate
import Testing

/// Breaking one rule on purpose must make the random schedules fail: otherwise they prove nothing.
@Suite("Random schedules catch deliberate bugs", .exclusive)
struct MutantDetectionTests {
    /// The seeds are fixed, so this is deterministic: today the last mutant falls by seed 921
    /// (commit-older-term; forget-vote-on-restart by 623, send-before-persist by 112).
    static let seedsMax: UInt64 = 1500

    /// Mutants of membership change: their schedules run a spare server and ask leaders for changes.
    static let membershipMutants: Set<Mutant> = [.twoChangesAtOnce, .voteFromRemovedMember]
    /// Mutants of leadership transfer: their schedules ask leaders to hand over.
    static let transferMutants: Set<Mutant> = [.transferVoteUnchecked]

    @Test("each mutant breaks an invariant within 1,500 seeds", arguments: Mutant.allCases)
    func mutantIsCaught(mutant: Mutant) {
        var options = ProtocolOptions.standard.with(mutant: mutant)
        options.preVote = false // pre-vote and the lease hide some bugs from short schedules
        options.checkQuorum = false
        options.appendNoOpOnElection = false // a no-op commits old entries legally, hiding figure 8
        for seed in 1...Self.seedsMax {
            let report = RandomSimulation(
                configuration: .init(nodeCount: 3, options: options, steps: 400, crashWeight: 4,
                                     restartWeight: 8, electionTimeoutWeight: 8,
                                     snapshotWeight: mutant == .snapshotAheadOfCommit ? 4 : 0,
                                     spareCount: Self.membershipMutants.contains(mutant) ? 1 : 0,
                                     membershipWeight: Self.membershipMutants.contains(mutant) ? 6 : 0,
                                     transferWeight: Self.transferMutants.contains(mutant) ? 6 : 0,
                                     requiresConvergence: false),
                seed: seed
            ).run()
            if !report.failures.isEmpty { return }
        }
        Issue.record("mutant \(mutant.rawValue) survived \(Self.seedsMax) random schedules")
    }
}
