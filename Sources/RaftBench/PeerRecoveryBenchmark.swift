import Foundation
import RaftCore
import RaftLab
import RaftRuntime

/// How soon a restarted follower hears from its leader: a cluster of node processes under a
/// light workload; again and again a follower is killed (`kill -9`), left down long enough
/// for the leader's reconnection backoff to grow, and started again. Each sample is the time
/// from the moment the restarted node answers a status request (its process is up and
/// listening) to the first status that names the leader (it took a message from it).
public enum PeerRecoveryBenchmark {
    /// The figures of one run.
    public struct Report: Sendable, CustomStringConvertible {
        /// Milliseconds from "answers" to "knows the leader", one per restart.
        public var samplesMs: [Double]
        /// Milliseconds from the process start to "answers" (the node's own start-up).
        public var startupMs: [Double]

        public var description: String {
            SampleSummary.line("restart to hearing from the leader", samplesMs, counting: "restarts") + "\n"
                + SampleSummary.line("process start to answering", startupMs, counting: "restarts")
        }
    }

    /// Restarts a follower `restarts` times in a cluster of `nodes`, each down for
    /// `downSeconds`; `progress` gets a line per restart.
    public static func run(nodes: Int = 3, restarts: Int = 30, downSeconds: Double = 1.5, clients: Int = 4, root: String,
                           progress: @Sendable (String) -> Void) async throws -> Report {
        var options = UpOptions.benchmark(nodes: nodes, clients: clients, root: root)
        options.nodeTraces = false
        let launcher = try ClusterLauncher(options: options)
        let started = ContinuousClock.now
        var report = Report(samplesMs: [], startupMs: [])
        do {
            var leader = try await launcher.startCluster()
            try launcher.startWorkload()
            for round in 0..<restarts {
                leader = try await launcher.client.waitForLeader(timeout: .seconds(30))
                let followers = launcher.cluster.nodes.map(\.id).filter { $0 != leader }
                let victim = followers[round % followers.count]
                launcher.processes.kill9(victim)
                launcher.client.forget(victim)
                try await Task.sleep(for: .seconds(downSeconds))
                let timing = try await launcher.startTimed(victim, timeout: .seconds(30),
                                                           failure: "node \(victim) did not hear from a leader within 30 s of its restart") {
                    $0.leader != nil
                }
                let sample = timing.readyMs - timing.answeredMs
                report.samplesMs.append(sample)
                report.startupMs.append(timing.answeredMs)
                progress(String(format: "restart %d/%d: node %d heard from leader %d %.1f ms after it answered (start-up %.0f ms)",
                                round + 1, restarts, victim, leader, sample, timing.answeredMs))
            }
        } catch {
            await launcher.discard(startedAt: started)
            throw error
        }
        await launcher.discard(startedAt: started)
        return report
    }

    private static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }
}
