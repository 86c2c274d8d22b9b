import Foundation
import Histogram
import RaftCore
import RaftLab
import RaftRuntime

/// `raftlab bench cluster`: commit throughput and latency of real node processes (fsync on)
/// for each cluster size and client count asked for, plus node memory.
public enum ClusterBenchmark {
    /// What a run varies besides the cluster size and the client count.
    public struct Variant: Hashable, Sendable {
        public var traces = true
        public var metrics = true
        /// Run the nodes in the order before issue 13 (mutant `send-before-persist`: every
        /// request leaves before the batch's write), to measure what the new order costs.
        public var oldOrder = false

        public init(traces: Bool = true, metrics: Bool = true, oldOrder: Bool = false) {
            self.traces = traces
            self.metrics = metrics
            self.oldOrder = oldOrder
        }
    }

    /// One measured configuration.
    public struct Row: Sendable {
        public var nodes: Int
        public var clients: Int
        public var traces: Bool
        public var metrics: Bool
        public var oldOrder: Bool
        public var commitsPerSecond: Double
        public var p50Ms: Double
        public var p99Ms: Double
        public var failed: Int
        public var nodePeakMemoryMiB: Double
        public var nodePrivateMemoryMiB: Double
    }

    /// Runs each (nodes, clients) pair for `seconds` after a one-second warm-up, once per
    /// variant back to back (so variants compared are paired in time), `repetitions` times;
    /// `progress` gets a line per finished run.
    public static func run(nodeCounts: [Int], clientCounts: [Int], seconds: Double, payloadBytes: Int,
                           fsync: Bool, variants: [Variant] = [Variant()], repetitions: Int = 1, root: String,
                           progress: (Row) -> Void) async throws -> [Row] {
        var rows: [Row] = []
        for nodes in nodeCounts {
            for clients in clientCounts {
                for _ in 0..<repetitions {
                    for variant in variants {
                        let row = try await measure(nodes: nodes, clients: clients, seconds: seconds, payloadBytes: payloadBytes,
                                                    fsync: fsync, variant: variant, root: root)
                        rows.append(row)
                        progress(row)
                    }
                }
            }
        }
        return rows
    }

    private static func measure(nodes: Int, clients: Int, seconds: Double, payloadBytes: Int, fsync: Bool,
                                variant: Variant, root: String) async throws -> Row {
        let traces = variant.traces
        let metrics = variant.metrics
        var options = UpOptions.benchmark(nodes: nodes, clients: clients, payloadBytes: payloadBytes, root: root)
        options.mutant = variant.oldOrder ? .sendBeforePersist : nil
        options.fsync = fsync
        options.nodeTraces = traces
        options.metrics = metrics
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
        let row = Row(nodes: nodes, clients: clients, traces: traces, metrics: metrics, oldOrder: variant.oldOrder,
                      commitsPerSecond: Double(stats.ok) / elapsed,
                      p50Ms: Double(stats.latencyUs.valueAtPercentile(50)) / 1000,
                      p99Ms: Double(stats.latencyUs.valueAtPercentile(99)) / 1000,
                      failed: stats.failed + stats.timedOut,
                      nodePeakMemoryMiB: Double(memory) / 1_048_576,
                      nodePrivateMemoryMiB: Double(privateMemory) / 1_048_576)
        try? FileManager.default.removeItem(atPath: launcher.run.layout.directory)
        return row
    }

    /// The table header matching `line(_:)`.
    public static let header = "nodes  clients  traces  metrics  order  commits/s    p50 ms    p99 ms  failed  node RSS peak MiB  node private MiB"

    /// One row of the table.
    public static func line(_ row: Row) -> String {
        func padded(_ text: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - text.count)) + text }
        return String(format: "%5d  %7d  ", row.nodes, row.clients)
            + padded(row.traces ? "on" : "off", 6) + "  " + padded(row.metrics ? "on" : "off", 7) + "  "
            + padded(row.oldOrder ? "old" : "new", 5)
            + String(format: "  %9.0f  %8.2f  %8.2f  %6d  %17.1f  %16.1f", row.commitsPerSecond, row.p50Ms, row.p99Ms,
                     row.failed, row.nodePeakMemoryMiB, row.nodePrivateMemoryMiB)
    }

    /// Per (nodes, clients) and variant: commits/s as mean and range over the repetitions,
    /// and against the first variant the mean of the paired differences with their range.
    public static func summary(_ rows: [Row], variants: [Variant]) -> [String] {
        var lines: [String] = []
        let shapes = rows.reduce(into: [(Int, Int)]()) { shapes, row in
            if !shapes.contains(where: { $0 == (row.nodes, row.clients) }) { shapes.append((row.nodes, row.clients)) }
        }
        func name(_ variant: Variant) -> String {
            "traces \(variant.traces ? "on" : "off"), metrics \(variant.metrics ? "on" : "off"), \(variant.oldOrder ? "old" : "new") order"
        }
        for (nodes, clients) in shapes {
            let runs = rows.filter { $0.nodes == nodes && $0.clients == clients }
            func of(_ variant: Variant) -> [Double] {
                runs.filter { $0.traces == variant.traces && $0.metrics == variant.metrics && $0.oldOrder == variant.oldOrder }
                    .map(\.commitsPerSecond)
            }
            let baseline = of(variants[0])
            for variant in variants {
                let values = of(variant)
                guard let low = values.min(), let high = values.max() else { continue }
                var line = String(format: "%d nodes, %d clients, %@: %.0f commits/s (%.0f–%.0f over %d runs)", nodes, clients,
                                  name(variant), values.reduce(0, +) / Double(values.count), low, high, values.count)
                if variant != variants[0], baseline.count == values.count {
                    let changes = zip(values, baseline).map { ($0 - $1) / $1 * 100 }
                    line += String(format: "; against %@: %+.1f%% (pairs %+.1f%% to %+.1f%%)", name(variants[0]),
                                   changes.reduce(0, +) / Double(changes.count), changes.min()!, changes.max()!)
                }
                lines.append(line)
            }
        }
        return lines
    }
}
