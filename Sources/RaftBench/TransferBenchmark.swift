import Foundation
import RaftCore
import RaftLab
import RaftRuntime

/// How fast leadership moves on request (Raft thesis §3.10): node processes with fsync on
/// under a light workload; again and again the leader is asked to hand over to the next
/// member. Each sample is the time from the request to the first proposal the new leader
/// commits (a proposal sent to it in a loop), and to the first status in which it leads.
public enum TransferBenchmark {
    /// The figures of one run.
    public struct Report: Sendable, CustomStringConvertible {
        /// Milliseconds from the request to the new leader's first commit, one per transfer.
        public var commitMs: [Double]
        /// Milliseconds from the request to the first status in which the target leads.
        public var leadsMs: [Double]

        public var description: String {
            SampleSummary.line("request to the new leader's first commit", commitMs, quantiles: [0.5, 0.9, 0.99], counting: "transfers")
                + "\n" + SampleSummary.line("request to the target leading", leadsMs, quantiles: [0.5, 0.9, 0.99], counting: "transfers")
        }
    }

    /// Moves leadership `transfers` times round a cluster of `nodes`; `progress` gets a line each.
    public static func run(nodes: Int = 5, transfers: Int = 30, clients: Int = 4, root: String,
                           progress: @Sendable (String) -> Void) async throws -> Report {
        var options = UpOptions.benchmark(nodes: nodes, clients: clients, root: root)
        options.nodeTraces = false
        let launcher = try ClusterLauncher(options: options)
        let started = ContinuousClock.now
        var report = Report(commitMs: [], leadsMs: [])
        var request: RequestID = 1 << 40
        do {
            var leader = try await launcher.startCluster()
            try launcher.startWorkload()
            let clock = ContinuousClock()
            for round in 0..<transfers {
                let members = launcher.cluster.nodes.map(\.id)
                let target = members[(members.firstIndex(of: leader)! + 1) % members.count]
                let asked = clock.now
                _ = try await launcher.client.transferLeaderAsync(at: leader, to: target)
                var leads: ContinuousClock.Instant?
                var committed: ContinuousClock.Instant?
                let deadline = asked + .seconds(10)
                while committed == nil && clock.now < deadline {
                    if leads == nil, let status = try? await launcher.client.statusAsync(target, timeout: .seconds(1)), status.role == .leader {
                        leads = clock.now
                    }
                    if leads != nil {
                        request += 1
                        if case .committed = await launcher.client.proposeAsync(request, [1], at: target) { committed = clock.now }
                    } else {
                        try await Task.sleep(for: .milliseconds(1))
                    }
                }
                guard let leads, let committed else { throw LabError("node \(target) did not take over from node \(leader) within 10 s") }
                report.commitMs.append(milliseconds(committed - asked))
                report.leadsMs.append(milliseconds(leads - asked))
                progress(String(format: "transfer %d/%d: node %d → node %d, leads after %.1f ms, commits after %.1f ms",
                                round + 1, transfers, leader, target, milliseconds(leads - asked), milliseconds(committed - asked)))
                leader = target
            }
        } catch {
            await launcher.discard(startedAt: started)
            throw error
        }
        await launcher.discard(startedAt: started)
        return report
    }

    private static func milliseconds(_ duration: Duration) -> Double { duration.secondsDouble * 1000 }
}
