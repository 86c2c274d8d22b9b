import Foundation
import RaftCore
import RaftLab
import RaftRuntime

/// How fast a follower that missed a long stretch of the log comes back when the others
/// snapshot (`--snapshot-every`): node processes with fsync on; one follower is killed, the
/// others commit `entries` entries under closed-loop clients, the workload stops, and the
/// follower is started again. The sample runs from its start to the first status showing it
/// committed everything the leader had; a snapshot file in its data directory shows it was
/// brought back by an installed snapshot rather than entry by entry.
public enum CatchUpBenchmark {
    /// The figures of one run.
    public struct Report: Sendable, CustomStringConvertible {
        public var entriesMissed: Int
        public var catchUpSeconds: Double
        public var installedSnapshot: Bool
        /// The leader's private memory (RssAnon) at the end, in MiB.
        public var leaderPrivateMiB: Double?

        public var description: String {
            String(format: "a follower %@ %d entries behind caught up in %.2f s%@", installedSnapshot ? "installed a snapshot" : "replayed the log",
                   entriesMissed, catchUpSeconds,
                   leaderPrivateMiB.map { String(format: "; leader private memory %.1f MiB", $0) } ?? "")
        }
    }

    public static func run(nodes: Int = 3, entries: Int = 1_000_000, snapshotEvery: Int? = 100_000, clients: Int = 64,
                           root: String, progress: @Sendable (String) -> Void) async throws -> Report {
        var options = UpOptions.benchmark(nodes: nodes, clients: clients, root: root)
        options.nodeTraces = false
        options.snapshotEvery = snapshotEvery
        let launcher = try ClusterLauncher(options: options)
        let started = ContinuousClock.now
        do {
            let leader = try await launcher.startCluster()
            let victim = launcher.cluster.nodes.map(\.id).first { $0 != leader }!
            launcher.processes.kill9(victim)
            launcher.client.forget(victim)
            try launcher.startWorkload()
            let clock = ContinuousClock()
            var lastReport = clock.now
            var target = 0
            while target < entries {
                try await Task.sleep(for: .milliseconds(200))
                let current = try await launcher.client.waitForLeader(timeout: .seconds(30))
                target = try await launcher.client.statusAsync(current).commitIndex
                if clock.now - lastReport >= .seconds(2) {
                    progress("committed \(target) of \(entries) entries with node \(victim) down")
                    lastReport = clock.now
                }
            }
            await launcher.stopWorkload()
            let current = try await launcher.client.waitForLeader(timeout: .seconds(30))
            target = try await launcher.client.statusAsync(current).commitIndex
            let restarted = clock.now
            try launcher.processes.start(victim)
            var caughtUp: ContinuousClock.Instant?
            while caughtUp == nil && clock.now - restarted < .seconds(600) {
                if let status = try? await launcher.client.statusAsync(victim, timeout: .seconds(2)), status.commitIndex >= target {
                    caughtUp = clock.now
                } else {
                    try await Task.sleep(for: .milliseconds(5))
                }
            }
            guard let caughtUp else { throw LabError("node \(victim) did not catch up with \(target) entries within 600 s") }
            let installed = FileManager.default.fileExists(atPath: launcher.run.dataDirectory(node: victim) + "/snapshot")
            let privateMiB = launcher.processes.privateMemoryBytes(current).map { Double($0) / 1_048_576 }
            await launcher.discard(startedAt: started)
            return Report(entriesMissed: target, catchUpSeconds: (caughtUp - restarted).secondsDouble,
                          installedSnapshot: installed, leaderPrivateMiB: privateMiB)
        } catch {
            await launcher.discard(startedAt: started)
            throw error
        }
    }
}
