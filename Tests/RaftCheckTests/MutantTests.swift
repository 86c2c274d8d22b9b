import Foundation
import RaftCore
import TestGate
import Testing
@testable import RaftCheck

/// Every deliberate bug in `RaftCore` is caught by the checker at a small depth, and the
/// correct core is clean at the same depths in both crash modes.
///
/// Depths are the smallest that catch each mutant (breadth-first search makes the found
/// path a shortest one, which the test checks); docs/MODEL.md explains each counterexample.
@Suite(.exclusive)
struct MutantTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var mutant: Mutant
        var crashMode: RaftModelConfiguration.CrashMode
        var depth: Int
        var profile: RaftModelConfiguration.Profile = .lite
        var symmetry = false
        /// The model's snapshots (what `snapshot-ahead-of-commit` breaks).
        var snapshots = false
        /// The joining server and membership changes (what the membership mutants break).
        var membership = false
        /// Leadership transfers (what `transfer-vote-unchecked` breaks).
        var transfers = false
        var configuration: RaftModelConfiguration {
            RaftModelConfiguration(crashMode: crashMode, profile: profile, mutant: mutant, symmetry: symmetry, snapshots: snapshots,
                                   membership: membership, transfers: transfers)
        }
        var testDescription: String {
            "\(mutant.rawValue), \(profile.rawValue), crash \(crashMode.rawValue)\(symmetry ? ", symmetry" : "")\(snapshots ? ", snapshots" : "")\(membership ? ", membership" : "")\(transfers ? ", transfers" : ""), depth \(depth)"
        }
    }

    static let cases: [Case] = [
        Case(mutant: .majorityOffByOne, crashMode: .stop, depth: 3),
        Case(mutant: .majorityOffByOne, crashMode: .restart, depth: 3),
        Case(mutant: .noStepDownOnHigherTerm, crashMode: .stop, depth: 7),
        Case(mutant: .noStepDownOnHigherTerm, crashMode: .restart, depth: 7),
        Case(mutant: .forgetVoteOnRestart, crashMode: .restart, depth: 9),
        Case(mutant: .grantVoteWithoutLogCheck, crashMode: .stop, depth: 10),
        Case(mutant: .grantVoteWithoutLogCheck, crashMode: .restart, depth: 10),
        Case(mutant: .countStaleVotes, crashMode: .restart, depth: 10),
        Case(mutant: .skipConflictTruncation, crashMode: .stop, depth: 13),
        // A vote request leaves before the term, vote and log it vouches for are durable, the
        // candidate crashes inside that batch, and its next incarnation counts the grants of
        // the previous one: only a crash inside a batch shows it.
        Case(mutant: .sendBeforePersist, crashMode: .restart, depth: 12, symmetry: true),
        Case(mutant: .snapshotAheadOfCommit, crashMode: .stop, depth: 9, snapshots: true),
        Case(mutant: .snapshotAheadOfCommit, crashMode: .restart, depth: 9, snapshots: true),
        // Leader 0 removes 1, then 2 before the first removal commits: alone in its
        // configuration it commits what 1, leading term 2 with 2's vote, never had.
        Case(mutant: .twoChangesAtOnce, crashMode: .stop, depth: 12, membership: true),
        // 1 leads term 1 and hands over to 2; 0 wins term 2 meanwhile; 2 campaigns on its
        // TimeoutNow and 0, which voted for itself, grants it too: two leaders of term 2.
        Case(mutant: .transferVoteUnchecked, crashMode: .stop, depth: 12, transfers: true),
    ]

    /// The profile the nodes run (pre-vote, check-quorum, re-armed timers, pipelining, a no-op
    /// per leader), with crash-restart and symmetry reduction: every mutant but the two whose
    /// counterexamples are longer, each within seconds to a minute (docs/MODEL.md's table).
    static let fullCases: [Case] = [
        Case(mutant: .majorityOffByOne, crashMode: .restart, depth: 3, profile: .full, symmetry: true),
        Case(mutant: .noStepDownOnHigherTerm, crashMode: .restart, depth: 13, profile: .full, symmetry: true),
        Case(mutant: .forgetVoteOnRestart, crashMode: .restart, depth: 13, profile: .full, symmetry: true),
        Case(mutant: .grantVoteWithoutLogCheck, crashMode: .restart, depth: 14, profile: .full, symmetry: true),
        Case(mutant: .countStaleVotes, crashMode: .restart, depth: 14, profile: .full, symmetry: true),
        Case(mutant: .skipConflictTruncation, crashMode: .restart, depth: 13, profile: .full, symmetry: true),
        Case(mutant: .snapshotAheadOfCommit, crashMode: .restart, depth: 12, profile: .full, snapshots: true),
    ]

    /// Mutants whose shortest counterexample is longer than the issue's depth 14 in every
    /// mode of this model (docs/MODEL.md shows why and where the counterexample is).
    static let beyondDepth14: Set<Mutant> = [.commitOlderTermByCounting]

    /// Mutants caught from a setup path in their own suite (`MembershipModelTests`): the
    /// counterexample is 15 steps from the initial state.
    static let caughtFromSetup: Set<Mutant> = [.voteFromRemovedMember]

    /// Raft's figure 8 in three servers: 0 leads term 1 and appends "0"; 1 leads term 2 and
    /// appends "1"; 0 leads term 3 again. From here a correct leader may not commit "0" by
    /// counting replicas, because 1 (whose log ends in term 2) can still win term 4 and
    /// overwrite it. Four elections make the whole counterexample 21 steps long.
    static let figureEightPrefix = [
        "Timeout(0, election)",
        "0 → 2 VoteRequest(term: 1, logLength: 0, lastLogTerm: 0)",
        "2 → 0 VoteResponse(term: 1, granted: true)",
        "client → 0 Propose(#1\"0\")",
        "0 → 1 LogRequest(term: 1, prefixLength: 0, prefixTerm: 0, leaderCommit: 0, suffix: [])",
        "Timeout(1, election)",
        "1 → 2 VoteRequest(term: 2, logLength: 0, lastLogTerm: 0)",
        "2 → 1 VoteResponse(term: 2, granted: true)",
        "client → 1 Propose(#2\"1\")",
        "1 → 0 LogRequest(term: 2, prefixLength: 0, prefixTerm: 0, leaderCommit: 0, suffix: [])",
        "Timeout(0, election)",
        "0 → 2 VoteRequest(term: 3, logLength: 1, lastLogTerm: 1)",
        "2 → 0 VoteResponse(term: 3, granted: true)",
    ]

    @Test("the figure-8 path in docs/model fails Leader Completeness with the mutant and holds without it")
    func figureEightPathFile() throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/model/figure8-commit-older-term.txt")
        let labels = try PathFile.parse(String(contentsOf: file, encoding: .utf8)).map(\.label)
        #expect(labels.count == 21)
        #expect(Array(labels.prefix(Self.figureEightPrefix.count)) == Self.figureEightPrefix)

        let mutated = RaftModel(RaftModelConfiguration(mutant: .commitOlderTermByCounting))
        let end = try #require(try mutated.path(following: labels).last)
        #expect(mutated.failingAlwaysProperties(in: end.state, reachedBy: end) == ["Leader Completeness"])

        let correct = RaftModel()
        let steps = try correct.path(following: labels)
        #expect(steps.allSatisfy { correct.failingAlwaysProperties(in: $0.state, reachedBy: $0).isEmpty })
    }

    @Test("commit-older-term: from the figure-8 setup the checker finds the rest of the counterexample, and the correct core is clean there")
    func commitOlderTermFromFigureEight() throws {
        let depth = 9
        let mutated = try RaftModel.starting(after: Self.figureEightPrefix,
                                             RaftModelConfiguration(mutant: .commitOlderTermByCounting))
        let options = CheckerOptions(depthMax: depth, threadCount: 2, stopsAtFirstCounterexample: true)
        let found = RaftChecker(model: mutated, options: options).run()
        let counterexample = try #require(found.discoveries.first { $0.classification == .counterexample })
        #expect(counterexample.property.name == "Leader Completeness")
        #expect(counterexample.actions.count == depth - 1)
        #expect(Self.figureEightPrefix.count + counterexample.actions.count == 21)

        let correct = try RaftModel.starting(after: Self.figureEightPrefix, RaftModelConfiguration())
        let clean = RaftChecker(model: correct, options: CheckerOptions(depthMax: depth, threadCount: 2)).run()
        #expect(clean.stopReason == .exhausted)
        #expect(!clean.hasCounterexample)
    }

    @Test("every mutant has a case")
    func everyMutantIsCovered() {
        #expect(Set(Self.cases.map(\.mutant)).union(Self.beyondDepth14).union(Self.caughtFromSetup) == Set(Mutant.allCases))
        // In the full profile send-before-persist needs five servers (docs/MODEL.md), and the
        // membership and transfer mutants are checked in the lite profile only (in the full profile
        // pre-votes lengthen transfer-vote-unchecked past depth 14).
        #expect(Set(Self.fullCases.map(\.mutant)).union(Self.beyondDepth14).union(Self.caughtFromSetup)
                    .union([.sendBeforePersist, .twoChangesAtOnce, .transferVoteUnchecked]) == Set(Mutant.allCases))
    }

    /// The full profile's figure 8 (docs/model/figure8-full-commit-older-term.txt): with log
    /// requests of one entry, a new leader's first acknowledgements stop short of its no-op,
    /// as they do at the real bound once a follower lags by more than 512 entries.
    static let fullFigureEight = RaftModelConfiguration(crashMode: .restart, profile: .full, mutant: .commitOlderTermByCounting,
                                                        symmetry: true, entriesPerAppendMax: 1)

    @Test("commit-older-term in the full profile: from the figure-8 setup the checker finds the rest, and the correct core is clean there")
    func commitOlderTermInTheFullProfile() throws {
        let depth = 9
        let setup = try PathFile.parse(String(contentsOf: Self.modelFile("figure8-full-prefix.txt"), encoding: .utf8)).map(\.label)
        #expect(setup.count == 23)
        let mutated = try RaftModel.starting(after: setup, Self.fullFigureEight)
        let options = CheckerOptions(depthMax: depth, threadCount: 2, stopsAtFirstCounterexample: true)
        let found = RaftChecker(model: mutated, options: options).run()
        let counterexample = try #require(found.discoveries.first { $0.classification == .counterexample })
        #expect(counterexample.property.name == "Leader Completeness")
        #expect(counterexample.actions.count == depth - 1)

        var configuration = Self.fullFigureEight
        configuration.mutant = nil
        let correct = try RaftModel.starting(after: setup, configuration)
        let clean = RaftChecker(model: correct, options: CheckerOptions(depthMax: depth, threadCount: 2)).run()
        #expect(clean.stopReason == .exhausted && !clean.hasCounterexample)

        // The whole path replays to the violation, and is harmless without the mutant.
        let whole = try PathFile.parse(String(contentsOf: Self.modelFile("figure8-full-commit-older-term.txt"), encoding: .utf8))
            .map(\.label)
        #expect(Array(whole.prefix(23)) == setup && whole.count == 31)
        var plain = Self.fullFigureEight
        plain.symmetry = false
        let replayed = RaftModel(plain)
        let end = try #require(try replayed.path(following: whole).last)
        #expect(replayed.failingAlwaysProperties(in: end.state, reachedBy: end) == ["Leader Completeness"])
        plain.mutant = nil
        let harmless = RaftModel(plain)
        #expect(try harmless.path(following: whole).allSatisfy { harmless.failingAlwaysProperties(in: $0.state, reachedBy: $0).isEmpty })
    }

    static func modelFile(_ name: String) -> URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/model/\(name)")
    }

    @Test("the mutant is caught by a shortest counterexample that replays to a failing state", arguments: cases + fullCases)
    func mutantIsCaught(_ testCase: Case) throws {
        let model = RaftModel(testCase.configuration)
        let options = CheckerOptions(depthMax: testCase.depth, threadCount: 2, stopsAtFirstCounterexample: true)
        let result = RaftChecker(model: model, options: options).run()
        let counterexample = try #require(result.discoveries.first { $0.classification == .counterexample })
        // Breadth-first: nothing shorter exists, so this depth is the smallest that catches it.
        #expect(counterexample.actions.count == testCase.depth - 1)

        let labels = counterexample.actions.map(model.label(of:))
        let fresh = RaftModel(testCase.configuration)
        let steps = try fresh.path(following: labels)
        let last = try #require(steps.last)
        #expect(fresh.failingAlwaysProperties(in: last.state, reachedBy: last).contains(counterexample.property.name))

        // The same path without the mutant is harmless (or not even possible).
        var configuration = testCase.configuration
        configuration.mutant = nil
        let correct = RaftModel(configuration)
        if let correctSteps = try? correct.path(following: labels), let end = correctSteps.last {
            #expect(correct.failingAlwaysProperties(in: end.state, reachedBy: end).isEmpty)
        }
    }

    @Test("the correct core is clean at the deepest mutant depth of each mode",
          arguments: [RaftModelConfiguration(crashMode: .stop),
                      RaftModelConfiguration(crashMode: .restart, symmetry: true),
                      RaftModelConfiguration(crashMode: .restart, profile: .full, symmetry: true)])
    func correctCoreIsClean(configuration: RaftModelConfiguration) {
        let cases = configuration.profile == .lite ? Self.cases : Self.fullCases
        let depth = cases.map(\.depth).max()!
        let model = RaftModel(configuration)
        let result = RaftChecker(model: model, options: CheckerOptions(depthMax: depth, threadCount: 2)).run()
        #expect(result.stopReason == .exhausted)
        #expect(result.progress.depth == depth)
        #expect(!result.hasCounterexample, "\(result.discoveries.map { ($0.property.name, $0.actions.map(model.label(of:))) })")
        #expect(result.discoveries.map(\.property.name) == ["Election Liveness", "Log Liveness"])
    }
}
