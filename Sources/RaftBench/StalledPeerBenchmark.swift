import Foundation
import LoopbackHTTP
import RaftCore
import RaftLab
import RaftRuntime

/// What a stalled follower costs the leader: a cluster of node processes under a closed-loop
/// workload; after a calm phase one follower is paused (SIGSTOP: its connections stay open,
/// it reads nothing) and the leader killed, so that the new leader probes the paused
/// follower for the whole pause; then the follower is resumed. The leader's resident memory is sampled every
/// second. Since the whole log stays in memory until snapshots exist (about 160
/// bytes per entry), the leader grows under load even when nothing stalls: a control run
/// with the same phases and no pause measures that growth, and the stall's own cost is the
/// difference.
public enum StalledPeerBenchmark {
    /// The figures of one run.
    public struct Report: Sendable, CustomStringConvertible {
        /// Whether a follower was paused (false: the control run).
        public var pauses: Bool
        public var leader: NodeID
        public var paused: NodeID
        /// The new leader's RSS when it took over, in MiB.
        public var calmMiB: Double
        /// Highest RSS sampled while the follower was paused, in MiB.
        public var pausedPeakMiB: Double
        /// RSS at the end of the pause, in MiB.
        public var pausedEndMiB: Double
        /// Commits per second during the calm phase and during the pause.
        public var calmCommitsPerSecond: Double
        public var pausedCommitsPerSecond: Double
        /// Whether the paused follower caught up with the leader's commit index after it resumed.
        public var caughtUp: Bool
        /// Most bytes the leader held for the paused follower (`raft_peer_buffered_bytes`),
        /// sampled every second, and frames it dropped for it (`raft_peer_frames_dropped_total`).
        public var peakBufferedKiB: Double
        public var framesDropped: Int

        /// The leader's growth from the calm mean to the peak of the second phase.
        public var growthMiB: Double { pausedPeakMiB - calmMiB }

        public var description: String {
            let phase = pauses ? "follower \(paused) paused" : "control, nothing paused"
            return String(format: """
                %@: new leader %d RSS %.1f MiB when it took over, peak %.1f MiB (%+.1f MiB), %.1f MiB at the end; \
                commits/s %.0f before, %.0f after; bytes held for node %d at most %.0f KiB, %d frames dropped for it%@
                """, phase, leader, calmMiB, pausedPeakMiB, growthMiB, pausedEndMiB, calmCommitsPerSecond, pausedCommitsPerSecond,
                          paused, peakBufferedKiB, framesDropped,
                          pauses ? (caughtUp ? "; the follower caught up after it resumed" : "; the follower did not catch up within 60 s") : "")
        }
    }

    /// Runs `calmSeconds` of calm; then (with `pauses`) pauses a follower, kills the leader
    /// with `kill -9` so that a new leader, which knows nothing of the paused follower's log,
    /// probes it for the whole pause (etcd's probe state), and samples the new leader for
    /// `pausedSeconds`. `progress` gets a line per few samples.
    public static func run(nodes: Int = 5, clients: Int = 64, payloadBytes: Int = 64, calmSeconds: Int = 10, pausedSeconds: Int = 60,
                           pauses: Bool = true, root: String, progress: @Sendable (String) -> Void) async throws -> Report {
        let options = UpOptions.benchmark(nodes: nodes, clients: clients, payloadBytes: payloadBytes, root: root)
        let launcher = try ClusterLauncher(options: options)
        let started = ContinuousClock.now
        defer { try? FileManager.default.removeItem(atPath: launcher.run.layout.directory) }
        do {
            let first = try await launcher.startCluster()
            try launcher.startWorkload()
            let victim = launcher.cluster.nodes.map(\.id).first { $0 != first }!
            func rssMiB(_ id: NodeID) -> Double { Double(launcher.processes.residentMemoryBytes(id) ?? 0) / 1_048_576 }
            try await Task.sleep(for: .seconds(2)) // warm-up
            await launcher.resetWorkloadStatistics()
            for second in 1...calmSeconds {
                try await Task.sleep(for: .seconds(1))
                if second % 5 == 0 { progress(String(format: "calm %2d s: leader %d RSS %.1f MiB", second, first, rssMiB(first))) }
            }
            let calmOK = await launcher.workloadStats()?.ok ?? 0
            if pauses { launcher.processes.signal(victim, SIGSTOP) }
            launcher.processes.kill9(first)
            launcher.client.forget(first)
            var leader = first
            let clock = ContinuousClock()
            let electionDeadline = clock.now + .seconds(30)
            while leader == first || leader == victim {
                guard clock.now < electionDeadline else {
                    var seen: [String] = []
                    for id in launcher.cluster.nodes.map(\.id) where id != first && !(pauses && id == victim) {
                        seen.append((try? await launcher.client.statusAsync(id, timeout: .seconds(2)).description) ?? "node \(id) did not answer")
                    }
                    throw LabError("no new leader within 30 s of killing node \(first): \(seen.joined(separator: "; "))")
                }
                for id in launcher.cluster.nodes.map(\.id) where id != first && !(pauses && id == victim) {
                    if let status = try? await launcher.client.statusAsync(id, timeout: .seconds(2)), status.role == .leader {
                        leader = id
                    }
                }
                if leader == first { try await Task.sleep(for: .milliseconds(50)) }
            }
            await launcher.resetWorkloadStatistics()
            let baseline = rssMiB(leader)
            progress(String(format: "node %d leads now (RSS %.1f MiB)%@", leader, baseline, pauses ? ", node \(victim) is paused" : ""))
            var peak = baseline
            var last = baseline
            var peakBuffered = 0.0
            var dropped = 0.0
            let metricsPort = launcher.cluster.nodes.first { $0.id == leader }?.metrics
            func peerMetric(_ name: String) -> Double? {
                guard let metricsPort, let text = try? LoopbackHTTPClient(port: metricsPort).get("/metrics").text else { return nil }
                let prefix = "\(name){peer=\"\(victim)\"} "
                return text.split(separator: "\n").first { $0.hasPrefix(prefix) }.flatMap { Double($0.dropFirst(prefix.count)) }
            }
            for second in 1...pausedSeconds {
                try await Task.sleep(for: .seconds(1))
                last = rssMiB(leader)
                peak = max(peak, last)
                peakBuffered = max(peakBuffered, peerMetric("raft_peer_buffered_bytes") ?? 0)
                dropped = peerMetric("raft_peer_frames_dropped_total") ?? dropped
                if second % 10 == 0 {
                    progress(String(format: "%@ %2d s: leader %d RSS %.1f MiB (peak %.1f)", pauses ? "paused" : "control", second, leader, last, peak))
                }
            }
            let pausedOK = await launcher.workloadStats()?.ok ?? 0
            if pauses { launcher.processes.signal(victim, SIGCONT) }
            let leaderStatus = try await launcher.client.statusAsync(leader)
            var caughtUp = false
            let catchUpDeadline = clock.now + .seconds(60)
            while clock.now < catchUpDeadline {
                if let status = try? await launcher.client.statusAsync(victim), status.commitIndex >= leaderStatus.commitIndex {
                    caughtUp = true
                    break
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            _ = await launcher.stopCluster(startedAt: started)
            return Report(pauses: pauses, leader: leader, paused: victim, calmMiB: baseline, pausedPeakMiB: peak,
                          pausedEndMiB: last, calmCommitsPerSecond: Double(calmOK) / Double(calmSeconds),
                          pausedCommitsPerSecond: Double(pausedOK) / Double(pausedSeconds), caughtUp: caughtUp,
                          peakBufferedKiB: peakBuffered / 1024, framesDropped: Int(dropped))
        } catch {
            _ = await launcher.stopCluster(startedAt: started)
            throw error
        }
    }
}
