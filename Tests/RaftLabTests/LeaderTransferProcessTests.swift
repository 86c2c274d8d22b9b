import Foundation
import RaftCore
import RaftLab
import RaftRuntime
import TestGate
import Testing

/// `raftlab leader transfer` against a running cluster of node processes.
@Suite("Leadership transfer on node processes", .serialized, .exclusive)
struct LeaderTransferProcessTests {
    @Test("raftlab leader transfer moves leadership to the member named, under load, and the run analyzes clean")
    func transferMovesLeadership() async throws {
        let root = try temporaryTracesRoot("transfer")
        defer { try? FileManager.default.removeItem(atPath: root) }
        var options = testOptions(nodes: 3, root: root)
        options.metrics = false
        options.clients = 4
        let launcher = try ClusterLauncher(options: options, executable: try raftlabExecutable())
        let started = ContinuousClock.now
        var moves: [String] = []
        do {
            var leader = try await launcher.startCluster()
            try launcher.startWorkload()
            for _ in 0..<3 {
                let target = launcher.client.nodeIDs.first { $0 != leader }!
                let result = try await runToExit(["leader", "transfer", "--run", launcher.run.layout.directory, "--to", "\(target)"], in: root)
                #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
                #expect(result.stdout.contains("leader: node \(leader) → node \(target)"), "\(result.stdout)")
                moves.append(result.stdout)
                #expect(try await launcher.client.statusAsync(target).role == .leader)
                leader = target
            }
            let refused = try await runToExit(["leader", "transfer", "--run", launcher.run.layout.directory, "--to", "9"], in: root)
            #expect(refused.status == 1 && refused.stderr.contains("node 9 is not a member"), "\(refused.stderr)")
        } catch {
            _ = try? await launcher.shutdown(startedAt: started)
            throw error
        }
        let report = try await launcher.shutdown(startedAt: started)
        #expect((report.stats?.ok ?? 0) > 0, "the workload committed through the transfers")
        let analysis = try await runToExit(["analyze", report.runDirectory], in: root)
        #expect(analysis.status == 0, "\(analysis.stdout)")
        #expect(moves.count == 3)
    }

    @Test("a leader stopped with SIGTERM hands leadership to a follower before it exits: a new leader within an election timeout, no election needed")
    func sigtermHandsOver() async throws {
        let root = try temporaryTracesRoot("sigterm")
        defer { try? FileManager.default.removeItem(atPath: root) }
        var options = testOptions(nodes: 3, root: root)
        options.metrics = false
        // Long election timeouts: without the hand-over, nobody would lead again for 5 s.
        options.timing = try ElectionTiming(electionTimeoutMs: 5_000...6_000, heartbeatIntervalMs: 50)
        let launcher = try ClusterLauncher(options: options, executable: try raftlabExecutable())
        let started = ContinuousClock.now
        do {
            let leader = try await launcher.startCluster(leaderTimeout: .seconds(30))
            _ = await launcher.client.proposeAsync(1, Array("before".utf8), at: leader)
            let stopped = ContinuousClock.now
            launcher.processes.signal(leader, SIGTERM)
            launcher.client.forget(leader)
            var successor: NodeID?
            #expect(try await eventually(timeout: .seconds(4)) {
                for id in launcher.client.nodeIDs where id != leader {
                    if (try? await launcher.client.statusAsync(id, timeout: .seconds(1)))?.role == .leader { successor = id; return true }
                }
                return false
            })
            #expect((ContinuousClock.now - stopped) < .seconds(4), "well before the 5 s election timeout")
            #expect(try await eventually { !launcher.processes.isRunning(leader) })
            #expect(launcher.processes.exitStatus(leader) == 0)
            if let successor {
                let outcome = await launcher.client.proposeAsync(2, Array("after".utf8), at: successor)
                #expect({ if case .committed = outcome { true } else { false } }(), "the new leader commits: \(outcome)")
            }
        } catch {
            _ = try? await launcher.shutdown(startedAt: started)
            throw error
        }
        let report = try await launcher.shutdown(startedAt: started)
        let analysis = try await runToExit(["analyze", report.runDirectory], in: root)
        #expect(analysis.status == 0, "\(analysis.stdout)")
    }
}
