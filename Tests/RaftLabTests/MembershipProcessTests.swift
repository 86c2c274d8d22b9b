import Foundation
import RaftCore
import RaftLab
import RaftRuntime
import TestGate
import Testing

/// `raftlab member add|remove|list` against a running cluster of node processes.
@Suite("Membership change on node processes", .serialized, .exclusive)
struct MembershipProcessTests {
    @Test("a node added under load joins as a learner, installs the leader's snapshot and is promoted; the leader removed next hands over first and is stopped; the run analyzes clean")
    func addThenRemoveTheLeader() async throws {
        let root = try temporaryTracesRoot("member")
        defer { try? FileManager.default.removeItem(atPath: root) }
        var options = testOptions(nodes: 3, root: root)
        options.metrics = false
        options.clients = 4
        // The joining node needs entries the leader dropped: it gets the snapshot. (500 entries
        // stay behind each snapshot: a forward re-sent across the leader change finds its copy.)
        options.snapshotEvery = 500
        let launcher = try ClusterLauncher(options: options, executable: try raftlabExecutable())
        let run = launcher.run.layout.directory
        let started = ContinuousClock.now
        do {
            let leader = try await launcher.startCluster()
            try launcher.startWorkload()
            #expect(await eventually(timeout: .seconds(20)) {
                ((try? await launcher.client.statusAsync(leader))?.commitIndex ?? 0) > 1_600
            }, "the log grows past a few snapshots first")

            let added = try await runToExit(["member", "add", "--run", run], in: root)
            #expect(added.status == 0, "\(added.stdout) \(added.stderr)")
            #expect(added.stdout.contains("add learner 3: appended"), "\(added.stdout)")
            #expect(added.stdout.contains("promote 3: appended"), "\(added.stdout)")
            #expect(added.stdout.contains("voters {0,1,2,3}"), "\(added.stdout)")
            #expect(launcher.processes.isRunning(3))
            let file = try ClusterFile.read(path: launcher.run.clusterFilePath)
            #expect(try file.node(3).joined == true)

            // Snapshots compact the configuration entries away while the load goes on.
            let everyone = ClusterClient(cluster: file, eventLoop: launcher.client.eventLoop)
            defer { everyone.close() }
            let promotedAt = try await everyone.statusAsync(3).configurationIndex
            #expect(await eventually(timeout: .seconds(30)) {
                ((try? await everyone.statusAsync(3))?.commitIndex ?? 0) > promotedAt + 1_500
            })
            let listed = try await runToExit(["member", "list", "--run", run], in: root)
            #expect(listed.status == 0 && listed.stdout.contains("node 3: ") && listed.stdout.contains("[joined]"), "\(listed.stdout)")
            #expect(listed.stdout.contains("voters {0,1,2,3} at index"), "\(listed.stdout)")

            let current = try await currentLeader(launcher)
            let removed = try await runToExit(["member", "remove", "--run", run, "--id", "\(current)"], in: root)
            #expect(removed.status == 0, "\(removed.stdout) \(removed.stderr)")
            #expect(removed.stdout.contains("node \(current) led: leadership handed to node"), "\(removed.stdout)")
            #expect(removed.stdout.contains("remove \(current): appended"), "\(removed.stdout)")
            #expect(await eventually(timeout: .seconds(10)) { !launcher.processes.isRunning(current) })
            #expect(try ClusterFile.read(path: launcher.run.clusterFilePath).node(current).removed == true)

            let refused = try await runToExit(["member", "remove", "--run", run, "--id", "9"], in: root)
            #expect(refused.status == 1 && refused.stderr.contains("node 9 is not a member"), "\(refused.stderr)")
            let again = try await runToExit(["member", "add", "--run", run, "--id", "\(current)"], in: root)
            #expect(again.status == 1 && again.stderr.contains("was removed"), "\(again.stderr)")
        } catch {
            _ = try? await launcher.shutdown(startedAt: started)
            throw error
        }
        let report = try await launcher.shutdown(startedAt: started)
        #expect((report.stats?.ok ?? 0) > 0)
        for id in 0...3 { #expect(launcher.processes.exitStatus(id) == 0, "node \(id) exited cleanly") }
        let analysis = try await runToExit(["analyze", report.runDirectory], in: root)
        #expect(analysis.status == 0, "\(analysis.stdout)")
        #expect(analysis.stdout.contains("OK       Election Quorum"), "\(analysis.stdout)")
        #expect(!analysis.stdout.contains("without stop"), "every node stopped cleanly: \(analysis.stdout)")
        #expect(analysis.stdout.range(of: #"install [1-9]"#, options: .regularExpression) != nil,
                "the joining node installed the leader's snapshot: \(analysis.stdout)")
    }

    private func currentLeader(_ launcher: ClusterLauncher) async throws -> NodeID {
        var found: NodeID?
        #expect(await eventually(timeout: .seconds(10)) {
            for id in launcher.client.nodeIDs {
                if let status = try? await launcher.client.statusAsync(id, timeout: .seconds(1)), status.role == .leader { found = id; return true }
            }
            return false
        })
        return try #require(found)
    }
}
