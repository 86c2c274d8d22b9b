import Foundation
import LoopbackHTTP
import RaftCore
import RaftRuntime
import RaftTrace

/// The files of one run: `traces/<run-id>/` with `run.json`, `cluster.json`, node traces,
/// the client trace, node logs and data directories; sockets in a private (0700) directory.
public struct RunDirectory: Sendable {
    public let runID: String
    public let layout: RunLayout
    public let socketDirectory: String
    public var clusterFilePath: String { layout.directory + "/cluster.json" }
    public var logDirectory: String { layout.directory + "/logs" }
    public func dataDirectory(node: NodeID) -> String { layout.directory + "/data/node-\(node)" }
    /// `prometheus.yml` and the files it names.
    public var prometheus: PrometheusSetup { PrometheusSetup(directory: layout.directory) }

    /// Creates a fresh run directory under `root`.
    public static func create(root: String) throws -> RunDirectory {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        formatter.timeZone = TimeZone(identifier: "UTC")
        let runID = formatter.string(from: Date()) + "-" + String(UInt16.random(in: .min ... .max), radix: 16)
        let absoluteRoot = root.hasPrefix("/") ? root : FileManager.default.currentDirectoryPath + "/" + root
        let layout = RunLayout(root: absoluteRoot, runID: runID)
        let files = FileManager.default
        try files.createDirectory(atPath: layout.directory + "/logs", withIntermediateDirectories: true)
        try files.createDirectory(atPath: layout.directory + "/data", withIntermediateDirectories: true,
                                  attributes: [.posixPermissions: 0o700])
        // UNIX socket paths must stay short; fall back to /tmp when the run directory is deep.
        var socketDirectory = layout.directory + "/sock"
        if (socketDirectory + "/node-63.client.sock").utf8.count > PeerAddress.unixPathBytesMax {
            socketDirectory = "/tmp/raftlab-" + runID
        }
        try files.createDirectory(atPath: socketDirectory, withIntermediateDirectories: true,
                                  attributes: [.posixPermissions: 0o700])
        try files.setAttributes([.posixPermissions: 0o700], ofItemAtPath: socketDirectory)
        return RunDirectory(runID: runID, layout: layout, socketDirectory: socketDirectory)
    }

    /// Writes `cluster.json` and `run.json` for `options`; returns the cluster file.
    public func writeDescriptions(_ options: UpOptions, clusterID: UInt64) throws -> ClusterFile {
        let metricsPorts: [Int?] = options.metrics ? try LoopbackPorts.free(options.nodes) : Array(repeating: nil, count: options.nodes)
        let nodes = (0..<options.nodes).map { id in
            ClusterFile.Node(id: id, peer: .unix(path: "\(socketDirectory)/node-\(id).sock"),
                             client: .unix(path: "\(socketDirectory)/node-\(id).client.sock"),
                             data: dataDirectory(node: id), metrics: metricsPorts[id])
        }
        let cluster = ClusterFile(clusterID: clusterID, nodes: nodes, traceDirectory: layout.directory,
                                  timing: options.timing,
                                  preVote: options.preVote, checkQuorum: options.checkQuorum, fsync: options.fsync,
                                  traceMessages: options.traceMessages, trace: options.nodeTraces, otlpSpans: options.otlpSpans,
                                  seed: options.seed, mutant: options.mutant, snapshotEvery: options.snapshotEvery)
        try cluster.write(path: clusterFilePath)
        var parameters: [String: String] = [
            "election_timeout_ms": options.timing.electionTimeoutText,
            "heartbeat_interval_ms": "\(options.timing.heartbeatIntervalMs)",
            "pre_vote": "\(options.preVote)", "check_quorum": "\(options.checkQuorum)", "fsync": "\(options.fsync)",
            "payload_bytes": "\(options.payloadBytes)", "cluster_file": clusterFilePath,
            "sockets": socketDirectory,
        ]
        if let mode = options.workloadMode { parameters["workload"] = mode.description }
        if let duration = options.durationSeconds { parameters["duration_s"] = "\(duration)" }
        if let mutant = options.mutant { parameters["mutant"] = mutant.rawValue }
        if let every = options.snapshotEvery { parameters["snapshot_every"] = "\(every)" }
        for node in nodes {
            parameters["node_\(node.id)_peer"] = "\(node.peer)"
            parameters["node_\(node.id)_client"] = "\(node.client)"
            if let port = node.metrics { parameters["node_\(node.id)_metrics"] = "http://\(MetricsServer.host):\(port)/metrics" }
        }
        if options.otlpSpans { parameters["otlp_spans"] = layout.directory + "/node-<id>.otlp.jsonl" }
        if options.metrics {
            try prometheus.write(cluster: cluster, runID: runID)
            parameters["prometheus_config"] = prometheus.configPath
        }
        let manifest = RunManifest(runID: runID, startedUs: TraceClock.nowUs(), nodes: nodes.map(\.id),
                                   seed: options.seed, parameters: parameters)
        try manifest.write(path: layout.manifestPath)
        return cluster
    }
}
