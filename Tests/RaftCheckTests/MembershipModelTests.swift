import Foundation
import RaftCore
import TestGate
import Testing
@testable import RaftCheck

/// The model with membership change on (`--membership`): a fourth server waits to join,
/// leaders add it as a learner, promote it and remove members, one change at a time, at any
/// step; every property holds with the configuration changing under it.
@Suite(.exclusive)
struct MembershipModelTests {
    @Test("random walks add the joining server, promote it and remove members, and the changes commit")
    func walksChangeTheConfiguration() {
        let model = RaftModel(RaftModelConfiguration(crashMode: .restart, profile: .full, membership: true))
        let seen = model.kindsReached(seed: 7) { label in
            ["AddLearner(", "Promote(", "Remove("].filter { label.hasPrefix($0) }
                + (label.contains("#config{") && label.contains("LogRequest") ? ["replicated"] : [])
        }
        #expect(seen == ["AddLearner(", "Promote(", "Remove(", "replicated"])
    }

    @Test("the correct core is clean with membership changes (crash-stop depth 11, crash-restart depth 10, full profile depth 10)")
    func correctCoreIsClean() {
        expectCleanExhaustively([(RaftModelConfiguration(crashMode: .stop, membership: true), 11),
                                 (RaftModelConfiguration(crashMode: .restart, membership: true), 10),
                                 (RaftModelConfiguration(crashMode: .restart, profile: .full, membership: true), 10)])
    }

    static let learnerAdded: [String] = {
        let text = (try? String(contentsOf: MutantTests.modelFile("learner-added-prefix.txt"), encoding: .utf8)) ?? ""
        return ((try? PathFile.parse(text)) ?? []).map(\.label)
    }()

    @Test("vote-from-removed-member: once a learner is added, a candidate that counts its vote wins without a committed entry; the correct core is clean there")
    func voteFromRemovedMemberIsCaught() throws {
        #expect(Self.learnerAdded.count == 7 && Self.learnerAdded.last == "AddLearner(0, 3)")
        let depth = 9
        let mutated = try RaftModel.starting(after: Self.learnerAdded,
                                             RaftModelConfiguration(mutant: .voteFromRemovedMember, membership: true))
        let found = RaftChecker(model: mutated, options: CheckerOptions(depthMax: depth, threadCount: 2,
                                                                         stopsAtFirstCounterexample: true)).run()
        let counterexample = try #require(found.discoveries.first { $0.classification == .counterexample })
        #expect(counterexample.property.name == "Leader Completeness")
        #expect(counterexample.actions.count == depth - 1)
        let labels = counterexample.actions.map(mutated.label(of:))
        #expect(labels.contains { $0.hasPrefix("3 → ") && $0.contains("VoteResponse") && $0.contains("granted: true") },
                "the learner's vote elects the leader: \(labels)")

        for crash in RaftModelConfiguration.CrashMode.allCases {
            let correct = try RaftModel.starting(after: Self.learnerAdded, RaftModelConfiguration(crashMode: crash, membership: true))
            let clean = RaftChecker(model: correct, options: CheckerOptions(depthMax: depth, threadCount: 2)).run()
            #expect(clean.stopReason == .exhausted && !clean.hasCounterexample, "crash \(crash)")
        }
    }

    @Test("--membership with --symmetry is refused in words, and --membership needs room for one more server")
    func badCombinationsAreRefused() {
        #expect(RaftModelConfiguration(symmetry: true, membership: true).problem?.contains("--membership with --symmetry") == true)
        #expect(RaftModelConfiguration(serverCount: RaftModelConfiguration.serverCountMax, membership: true).problem?
            .contains("--membership adds a server") == true)
    }
}
