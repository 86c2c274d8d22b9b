import Foundation
import Histogram
import RaftCore

/// `raftlab bench cluster`: commit throughput and latency of real node processes (fsync on)
/// for each cluster size and client count asked for, plus node memory.
public enum ClusterBenchmark {
    /// One measured configuration.
    public struct Row: Sendable {
        public var nodes: Int
        public var clients: Int
        public var traces: Bool
        public var metrics: Bool
        public var commitsPerSecond: Double
        public var p50Ms: Double
        public var p99Ms: Double
        public var failed: Int
        public var nodePeakMemoryMiB: Double
        public var nodePrivateMemoryMiB: Double
    }

    /// Runs each (nodes, clients) pair for `seconds` after a one-second warm-up; `progress`
    /// gets a line per finished run.
    public static func run(nodeCounts: [Int], clientCounts: [Int], seconds: Double, payloadBytes: Int,
                           fsync: Bool, traces: Bool, metrics: Bool = true, root: String, progress: (Row) -> Void) async throws -> [Row] {
        var rows: [Row] = []
        for nodes in nodeCounts {
            for clients in clientCounts {
                var options = UpOptions()
                options.nodes = nodes
                options.clients = clients
                options.payloadBytes = payloadBytes
                options.fsync = fsync
                options.nodeTraces = traces
                options.metrics = metrics
                options.showsStatus = false
                options.tracesRoot = root
                let launcher = try ClusterLauncher(options: options)
                let started = ContinuousClock.now
                _ = try await launcher.startCluster()
                try launcher.startWorkload()
                try await Task.sleep(for: .seconds(1))
                await launcher.resetWorkloadStatistics()
                let measureStart = ContinuousClock.now
                try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
                let stats = await launcher.workloadStats() ?? Workload.Stats()
                let elapsed = (ContinuousClock.now - measureStart).secondsDouble
                let memory = launcher.cluster.nodes.compactMap { launcher.processes.peakMemoryBytes($0.id) }.max() ?? 0
                let privateMemory = launcher.cluster.nodes.compactMap { launcher.processes.privateMemoryBytes($0.id) }.max() ?? 0
                // The run directory is removed below: no need to merge its traces.
                _ = await launcher.stopCluster(startedAt: started)
                let row = Row(nodes: nodes, clients: clients, traces: traces, metrics: metrics,
                              commitsPerSecond: Double(stats.ok) / elapsed,
                              p50Ms: Double(stats.latencyUs.valueAtPercentile(50)) / 1000,
                              p99Ms: Double(stats.latencyUs.valueAtPercentile(99)) / 1000,
                              failed: stats.failed + stats.timedOut,
                              nodePeakMemoryMiB: Double(memory) / 1_048_576,
                              nodePrivateMemoryMiB: Double(privateMemory) / 1_048_576)
                rows.append(row)
                progress(row)
                try? FileManager.default.removeItem(atPath: launcher.run.layout.directory)
            }
        }
        return rows
    }

    /// The table header matching `line(_:)`.
    public static let header = "nodes  clients  traces  metrics  commits/s    p50 ms    p99 ms  failed  node RSS peak MiB  node private MiB"

    /// One row of the table.
    public static func line(_ row: Row) -> String {
        String(format: "%5d  %7d  %6@  %7@  %9.0f  %8.2f  %8.2f  %6d  %17.1f  %16.1f", row.nodes, row.clients,
               row.traces ? "on" : "off", row.metrics ? "on" : "off", row.commitsPerSecond, row.p50Ms, row.p99Ms, row.failed,
               row.nodePeakMemoryMiB, row.nodePrivateMemoryMiB)
    }
}
