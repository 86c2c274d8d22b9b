import RaftCore
import TestGate
import Testing
@testable import RaftCheck

/// The model with snapshots on (`--snapshots`): applications snapshot at any step, leaders
/// send snapshots, the properties read compacted entries from the snapshots that hold them.
@Suite(.exclusive)
struct SnapshotModelTests {
    @Test("random walks reach snapshots, their chunks and installs: the model explores them")
    func walksReachInstalls() {
        let model = RaftModel(RaftModelConfiguration(crashMode: .restart, snapshots: true))
        let labels = model.kindsReached(seed: 5) { label in
            (label.hasPrefix("Snapshot(") ? ["snapshot"] : []) + (label.contains("SnapshotChunk(") ? ["chunk"] : [])
                + (label.contains("SnapshotResponse(") && label.contains("installed: true") ? ["installed"] : [])
        }
        #expect(labels == ["snapshot", "chunk", "installed"])
    }

    @Test("the correct core is clean with snapshots on (crash-stop depth 12, crash-restart depth 10)")
    func correctCoreIsClean() {
        expectCleanExhaustively([(RaftModelConfiguration(crashMode: .stop, snapshots: true), 12),
                                 (RaftModelConfiguration(crashMode: .restart, snapshots: true), 10)])
    }

    @Test("snapshot-ahead-of-commit is caught: a node counts an uncommitted entry its snapshot took as committed")
    func mutantIsCaught() throws {
        let model = RaftModel(RaftModelConfiguration(mutant: .snapshotAheadOfCommit, snapshots: true))
        let options = CheckerOptions(depthMax: 9, threadCount: 2, stopsAtFirstCounterexample: true)
        let found = RaftChecker(model: model, options: options).run()
        let counterexample = try #require(found.discoveries.first { $0.classification == .counterexample })
        #expect(counterexample.property.name == "Leader Completeness")
        #expect(counterexample.actions.count == 8)
        #expect(counterexample.actions.contains { model.label(of: $0).hasPrefix("Snapshot(") })
    }

    @Test("--snapshots with --symmetry is refused in words")
    func symmetryIsRefused() {
        #expect(RaftModelConfiguration(symmetry: true, snapshots: true).problem?.contains("--snapshots with --symmetry") == true)
    }
}
