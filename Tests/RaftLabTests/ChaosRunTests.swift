import Foundation
import Synchronization
import RaftAnalyze
import RaftCore
@testable import RaftLab
import RaftTrace
import TestGate
import Testing

/// `raftlab chaos` against real node processes: a short run with every kind of fault must
/// come out safe, and nodes carrying a deliberate bug must be caught.
@Suite("Chaos runs", .serialized, .exclusive)
struct ChaosRunTests {
    /// The seed: `RAFTLAB_CHAOS_SEED` when set (to replay a failure), otherwise a fresh one,
    /// printed with every expectation so a failure can be reproduced.
    static func seed() -> UInt64 {
        ProcessInfo.processInfo.environment["RAFTLAB_CHAOS_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 1...UInt64(UInt32.max))
    }

    func options(root: String, seed: UInt64) -> ChaosOptions {
        var options = ChaosOptions(cluster: testOptions(nodes: 5, root: root))
        options.seed = seed
        options.cluster.clients = 4
        return options
    }

    /// Nodes with the test-only mutant that counts half the cluster as a majority, partitioned
    /// from `intervalSeconds` on; a short convergence wait (their logs may never agree again).
    func mutantOptions(root: String, seed: UInt64, nemeses: [NemesisKind], intervalSeconds: Double, durationSeconds: Double) -> ChaosOptions {
        var options = options(root: root, seed: seed)
        options.cluster.mutant = .majorityOffByOne
        options.nemeses = nemeses
        options.intervalSeconds = intervalSeconds
        options.faultSeconds = 1.5
        options.durationSeconds = durationSeconds
        options.convergeTimeoutSeconds = 4
        options.writesHTMLReport = false
        return options
    }

    @Test("a short run with kills, pauses, partitions of every kind, a transfer and membership changes is safe and loses no acknowledged write; the install kill is skipped without snapshots")
    func shortRunIsSafe() async throws {
        let root = try temporaryTracesRoot("chaos-safe")
        let seed = Self.seed()
        var options = options(root: root, seed: seed)
        options.nemeses = NemesisKind.allCases
        options.intervalSeconds = 3
        options.faultSeconds = 1.5
        options.durationSeconds = 34.5 // eleven faults: one of each kind
        // No snapshots: kill-during-install is skipped here (its own test below runs it).
        // With a short log kept behind each snapshot, a forward delivered late can commit a
        // request twice (Durability reports it); the dedup beyond the log is issue 17's.
        let lines = Mutex<[String]>([])
        let verdict = try await ChaosRun.run(options, executable: try raftlabExecutable(), say: { line in lines.withLock { $0.append(line) } })
        let context = Comment(rawValue: "seed \(seed); reproduce with RAFTLAB_CHAOS_SEED=\(seed)\n" + verdict.text)

        #expect(verdict.isSafe, context)
        #expect(verdict.safety.count == SafetyProperty.allCases.count && verdict.safety.allSatisfy(\.holds), context)
        #expect(verdict.writes.lost == 0 && verdict.writes.duplicates == 0 && verdict.writes.unconfirmed == 0, context)
        #expect(verdict.writes.acknowledged > 100, "the workload ran throughout; \(context)")
        #expect(verdict.converged, context)
        #expect(verdict.faultsPlanned == 11 && verdict.faultsInjected + verdict.faultsSkipped == 11, context)
        #expect(verdict.faultsInjected >= 9 && verdict.faultsSkipped >= 1, context)
        #expect(lines.withLock { $0.contains { $0.contains("inside a snapshot install: it needs --snapshot-every") } }, context)
        #expect(verdict.availability > 0.5 && verdict.availability <= 1, context)
        #expect(verdict.calmThroughput ?? 0 > 0 && verdict.faultSeconds > 5, context)
        #expect(lines.withLock { $0.contains { $0.contains("kill -9 node") } }, context)

        // Every fault and heal is in the merged trace as a nemesis event.
        var actions: [String: Int] = [:]
        let merged = try TraceReader(path: verdict.runDirectory + "/trace.jsonl.gz")
        while let record = try merged.next() {
            if case .nemesis(let action, let targets, _) = record.body {
                actions[action.rawValue, default: 0] += 1
                #expect(!targets.isEmpty && record.node == -1)
            }
        }
        for action in ["kill", "restart", "pause", "resume", "partition", "heal", "transfer", "add-member", "remove-member"] {
            #expect(actions[action, default: 0] >= 1, "no \(action) event; \(context)")
        }
        #expect(actions["kill", default: 0] == actions["restart", default: 0], context)

        // run.json holds the seed and the planned schedule; the report was written.
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: verdict.runDirectory + "/run.json"))) as? [String: Any]
        #expect(manifest?["seed"] as? UInt64 == seed || (manifest?["seed"] as? NSNumber)?.uint64Value == seed)
        let chaos = manifest?["chaos"] as? [String: Any]
        #expect((chaos?["schedule"] as? [Any])?.count == 11)
        #expect((chaos?["reproduce"] as? String)?.hasSuffix("--seed \(seed)") == true)
        #expect(FileManager.default.fileExists(atPath: verdict.runDirectory + "/report.html"))
        #expect(liveNodeProcesses(of: verdict.runDirectory).isEmpty, "every node process is gone")
        if verdict.isSafe { try? FileManager.default.removeItem(atPath: root) } // kept for a look when it failed
    }

    @Test("a follower killed inside its install of the leader's snapshot (the snapshot file written, its log not) finishes the install at its restart: safe, converged")
    func killInsideSnapshotInstall() async throws {
        let root = try temporaryTracesRoot("chaos-install")
        let seed = Self.seed()
        var options = options(root: root, seed: seed)
        options.cluster.nodes = 3
        options.cluster.snapshotEvery = 1000 // 1,000 entries kept behind each snapshot too
        options.nemeses = [.killDuringInstall]
        options.intervalSeconds = 5
        options.faultSeconds = 3
        options.durationSeconds = 13 // two faults
        options.writesHTMLReport = false
        let lines = Mutex<[String]>([])
        let verdict = try await ChaosRun.run(options, executable: try raftlabExecutable(), say: { line in lines.withLock { $0.append(line) } })
        let context = Comment(rawValue: "seed \(seed); reproduce with RAFTLAB_CHAOS_SEED=\(seed)\n" + verdict.text
                              + "\n" + lines.withLock { $0.joined(separator: "\n") })
        #expect(verdict.isSafe && verdict.converged, context)
        #expect(verdict.writes.lost == 0, context)
        #expect(verdict.faultsInjected == 2, context)
        #expect(lines.withLock { $0.contains { $0.contains("(it died inside its snapshot install)") } },
                "the failpoint fired at least once; \(context)")
        #expect(liveNodeProcesses(of: verdict.runDirectory).isEmpty, "every node process is gone")
        if verdict.isSafe { try? FileManager.default.removeItem(atPath: root) }
    }

    @Test("nodes that take half the cluster for a majority are caught under partitions")
    func unsafeMutantIsCaught() async throws {
        let root = try temporaryTracesRoot("chaos-mutant")
        let seed = Self.seed()
        let options = mutantOptions(root: root, seed: seed, nemeses: [.partitionSplit, .partitionLeader],
                                    intervalSeconds: 2.5, durationSeconds: 7.5) // two partitions
        let verdict = try await ChaosRun.run(options, executable: try raftlabExecutable(), say: { _ in })
        let context = Comment(rawValue: "seed \(seed)\n" + verdict.text)

        #expect(!verdict.isSafe, context)
        #expect(verdict.safety.contains { !$0.holds }, "the analyzer itself sees a violation; \(context)")
        #expect(verdict.text.hasPrefix("verdict: UNSAFE"), context)
        #expect(verdict.reproduceCommand.contains("--seed \(seed)") && verdict.reproduceCommand.contains("majority-off-by-one"), context)
        #expect(liveNodeProcesses(of: verdict.runDirectory).isEmpty, "every node process is gone")
        if !verdict.isSafe { try? FileManager.default.removeItem(atPath: root) }
    }

    @Test("a campaign prints one row per run and the reproducing command of a failing one")
    func campaignSummary() async throws {
        let root = try temporaryTracesRoot("chaos-campaign")
        let seed = Self.seed()
        var options = mutantOptions(root: root, seed: seed, nemeses: [.partitionSplit], intervalSeconds: 2, durationSeconds: 3.5)
        options.cluster.clients = 2
        let entries = await ChaosCampaign.run(options, runs: 2, executable: try raftlabExecutable(), say: { _ in })
        let summary = ChaosCampaign.summary(entries)
        #expect(entries.map(\.seed) == [seed, seed &+ 1], Comment(rawValue: summary))
        #expect(summary.split(separator: "\n").filter { $0.hasPrefix("  1  ") || $0.hasPrefix("  2  ") }.count == 2, Comment(rawValue: summary))
        let failing = entries.filter { !$0.isSafe }
        #expect(!failing.isEmpty, Comment(rawValue: summary))
        for entry in failing {
            #expect(summary.contains("seed \(entry.seed) (") && summary.contains(entry.reproduceCommand), Comment(rawValue: summary))
        }
        for entry in entries {
            let directory = entry.verdict?.runDirectory ?? root
            #expect(liveNodeProcesses(of: directory).isEmpty, "every node process is gone")
        }
        if !failing.isEmpty { try? FileManager.default.removeItem(atPath: root) }
    }
}

/// Process ids of `raftlab node` processes still running for the run in `runDirectory`.
func liveNodeProcesses(of runDirectory: String) -> [Int32] {
    let clusterFile = runDirectory + "/cluster.json"
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap { entry -> Int32? in
        guard let pid = Int32(entry),
              let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { return nil }
        let words = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        return words.contains("node") && words.contains(clusterFile) ? pid : nil
    }
}
