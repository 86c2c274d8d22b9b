import Foundation
import RaftRuntime

/// The Prometheus files of a run directory: `prometheus.yml` (scrape every node each second,
/// found through file-based service discovery), `prometheus-targets.json` (one target per
/// node, labelled with its node id and the run id) and `alerts.yml` (`AlertRules`).
///
/// Point any Prometheus at the config (`prometheus --config.file=traces/<run-id>/prometheus.yml`)
/// or let `raftlab up --prometheus` start one.
public struct PrometheusSetup: Sendable {
    /// How often Prometheus scrapes the nodes: lab runs last seconds to minutes.
    public static let scrapeIntervalSeconds = 1
    /// The scrape job's name (the alerts select on it).
    public static let jobName = "raftlab"

    public let configPath: String
    public let targetsPath: String
    public let alertsPath: String

    /// The files' places in `directory`.
    public init(directory: String) {
        configPath = directory + "/prometheus.yml"
        targetsPath = directory + "/prometheus-targets.json"
        alertsPath = directory + "/alerts.yml"
    }

    /// Writes the three files for the nodes of `cluster` that serve metrics.
    public func write(cluster: ClusterFile, runID: String) throws {
        try Self.config(runID: runID).write(toFile: configPath, atomically: true, encoding: .utf8)
        try Self.targets(cluster: cluster, runID: runID).write(to: URL(fileURLWithPath: targetsPath), options: .atomic)
        try AlertRules.yaml.write(toFile: alertsPath, atomically: true, encoding: .utf8)
    }

    /// `prometheus.yml`: paths are relative to the file, so the run directory can move.
    static func config(runID: String) -> String {
        """
        # Written by `raftlab up` for run \(runID). Start Prometheus on it with
        #   prometheus --config.file=prometheus.yml --storage.tsdb.path=prometheus-data
        # or run `raftlab up --prometheus`. Grafana: Dashboards/README.md.
        global:
          scrape_interval: \(scrapeIntervalSeconds)s
          scrape_timeout: \(scrapeIntervalSeconds)s
          evaluation_interval: \(scrapeIntervalSeconds)s
        rule_files:
          - alerts.yml
        scrape_configs:
          - job_name: \(jobName)
            file_sd_configs:
              - files:
                  - prometheus-targets.json
                refresh_interval: 5s

        """
    }

    /// `prometheus-targets.json` in Prometheus's file service-discovery format.
    static func targets(cluster: ClusterFile, runID: String) throws -> Data {
        struct TargetGroup: Encodable {
            var targets: [String]
            var labels: [String: String]
        }
        let groups = cluster.nodes.compactMap { node in
            node.metrics.map { TargetGroup(targets: ["\(MetricsServer.host):\($0)"], labels: ["node": "\(node.id)", "run": runID]) }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(groups)
    }
}
