import Foundation
import RaftCore
import RaftLab
import RaftRuntime
import RaftTrace
import TestGate
import Testing

/// `raftlab up --snapshot-every N` on real node processes: nodes snapshot their state and
/// drop the log it covers, and a follower that missed what was dropped catches up by an
/// installed snapshot.
@Suite("Snapshots on node processes", .serialized, .exclusive)
struct SnapshotProcessTests {
    @Test("a follower killed while the others compacted their logs comes back, installs the leader's snapshot and catches up; the run analyzes clean")
    func followerCatchesUpBySnapshot() async throws {
        let root = try temporaryTracesRoot("snapshots")
        defer { try? FileManager.default.removeItem(atPath: root) }
        var options = testOptions(nodes: 3, root: root)
        options.snapshotEvery = 20
        options.metrics = false
        let launcher = try ClusterLauncher(options: options, executable: try raftlabExecutable())
        let started = ContinuousClock.now
        var victim = 0
        var target = 0
        do {
            let leader = try await launcher.startCluster()
            victim = launcher.client.nodeIDs.first { $0 != leader }!
            launcher.processes.kill9(victim)
            launcher.client.forget(victim)
            // 2 KiB entries: the log requests the leader queues for the dead peer (64 KiB at
            // most, the oldest dropped) cannot bring it back by themselves.
            for request in 1...120 as ClosedRange<RequestID> {
                let payload = Array(repeating: UInt8(truncatingIfNeeded: request), count: 2048)
                if case .committed(let index) = await launcher.client.proposeAsync(request, payload, at: leader) {
                    target = max(target, index)
                }
            }
            #expect(target >= 120, "two of three nodes commit while the third is down")
            try launcher.processes.start(victim)
            #expect(try await eventually { (try? await launcher.client.statusAsync(victim).commitIndex) ?? 0 >= target })
            // It goes on by entries after the snapshot.
            if case .committed(let index) = await launcher.client.proposeAsync(500, Array("after".utf8), at: leader) {
                #expect(try await eventually { (try? await launcher.client.statusAsync(victim).commitIndex) ?? 0 >= index })
            } else {
                Issue.record("the proposal after the install did not commit")
            }
        } catch {
            _ = try? await launcher.shutdown(startedAt: started)
            throw error
        }
        let report = try await launcher.shutdown(startedAt: started)

        var installs: [Int: Int] = [:]
        var snapshots: [Int: Int] = [:]
        var victimEvents: [String] = []
        let merged = try TraceReader(path: report.mergedTrace)
        while let record = try merged.next() {
            if record.node == victim && record.type.source == .node && victimEvents.count < 40 {
                victimEvents.append("inc \(record.incarnation): \(record.body)")
            }
            switch record.body {
            case .install: installs[record.node, default: 0] += 1
            case .snapshot: snapshots[record.node, default: 0] += 1
            default: break
            }
        }
        #expect(installs[victim] ?? 0 >= 1, "the victim installed a snapshot: \(installs); its events: \(victimEvents.joined(separator: "\n"))")
        #expect(snapshots.keys.filter { $0 != victim }.count == 2, "both live nodes took snapshots: \(snapshots)")
        let analysis = try await runToExit(["analyze", report.runDirectory], in: root)
        #expect(analysis.status == 0, "\(analysis.stdout)\n\(analysis.stderr)")
    }
}
