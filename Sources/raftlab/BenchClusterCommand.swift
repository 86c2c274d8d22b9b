import ArgumentParser
import Foundation
import RaftLab

/// `raftlab bench cluster`: throughput and latency of real node processes.
struct BenchClusterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster",
        abstract: "Commit throughput and latency of a real cluster of node processes (fsync on).",
        discussion: """
        For each cluster size and client count: start the nodes, run closed-loop clients for a
        one-second warm-up and then --seconds, and print commits/s, client latency p50/p99
        (proposal to commit acknowledgement) and the nodes' peak memory. Build with -c release.

        Example:
          swift run -c release raftlab bench cluster --nodes 3,5 --clients 1,16,64 --seconds 5
        """
    )

    @Option(help: "Cluster sizes, comma-separated.") var nodes = "3,5"
    @Option(help: "Closed-loop client counts, comma-separated.") var clients = "1,16,64"
    @Option(help: "Seconds measured per configuration.") var seconds = 5.0
    @Option(help: "Payload bytes per request.") var payload = 64
    @Flag(help: "Skip fsync (measures its cost).") var noFsync = false
    @Flag(help: "Also run each configuration with node traces off (measures tracing's cost).") var compareTraces = false
    @Flag(help: "Also run each configuration with the nodes' metrics off (measures their cost).") var compareMetrics = false
    @Option(help: "Directory for the runs' files (removed after each run).") var traces = "traces"

    func numbers(_ text: String, _ name: String) throws -> [Int] {
        let values = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ ($0 ?? 0) >= 1 }) else {
            throw ValidationError("--\(name) takes positive integers separated by commas, got '\(text)'")
        }
        return values.map { $0! }
    }

    func validate() throws {
        _ = try numbers(nodes, "nodes")
        _ = try numbers(clients, "clients")
        guard seconds > 0 else { throw ValidationError("--seconds must be positive") }
    }

    func run() async throws {
        print(ClusterBenchmark.header)
        for traced in compareTraces ? [true, false] : [true] {
            for metered in compareMetrics ? [true, false] : [true] {
                _ = try await ClusterBenchmark.run(nodeCounts: try numbers(nodes, "nodes"), clientCounts: try numbers(clients, "clients"),
                                                   seconds: seconds, payloadBytes: payload, fsync: !noFsync, traces: traced,
                                                   metrics: metered, root: traces) { print(ClusterBenchmark.line($0)) }
            }
        }
    }
}
