import Foundation
import LoopbackHTTP
import RaftLab
import RaftRuntime
import TestGate
import Testing

/// The observability kit against the real thing: node `/metrics` endpoints scraped by a real
/// Prometheus (Debian package `prometheus`, which has `promtool`), every PromQL expression of
/// `Dashboards/raftlab.json` evaluated by it, and the alert rules checked and unit-tested by
/// `promtool`. Without Prometheus these tests fail, saying so; they are skipped only when
/// `RAFTLAB_SKIP_PROMETHEUS_TESTS=1`.
@Suite("Prometheus and the dashboards", .serialized, .exclusive)
struct PrometheusTests {
    static let skipVariable = "RAFTLAB_SKIP_PROMETHEUS_TESTS"
    static var skipRequested: Bool { ProcessInfo.processInfo.environment[skipVariable] == "1" }

    @Test("a real Prometheus scrapes a 3-node cluster and every dashboard query returns data; promtool accepts every node's metrics",
          .enabled(if: !skipRequested, "skipped because RAFTLAB_SKIP_PROMETHEUS_TESTS=1"), .exclusive(timeLimit: .seconds(300)))
    func everyPanelQueryReturnsData() async throws {
        guard try requireTool("prometheus") != nil, try requireTool("promtool") != nil else { return }
        let dashboard = try GrafanaDashboard.load(path: repositoryFile("Dashboards/raftlab.json"))
        let root = try temporaryTracesRoot("prometheus")
        var options = testOptions(nodes: 3, root: root)
        options.loadPerSecond = 50
        let launcher = try ClusterLauncher(options: options, executable: try raftlabExecutable())
        let started = ContinuousClock.now
        do {
            _ = try await launcher.startCluster()
            try launcher.startWorkload()
            let prometheus = try await launcher.startPrometheus()
            let api = PrometheusAPI(port: prometheus.port)
            let instances = launcher.cluster.nodes.compactMap(\.metrics).map { "127.0.0.1:\($0)" }
            #expect(instances.count == 3)

            // Every node scraped at least twice and up, and load committed in between, so
            // rates have two samples and quantiles have observations.
            let scraped = try await eventually(timeout: .seconds(90)) {
                let counts = try api.query("count_over_time(up{job=\"raftlab\"}[5m]) >= 2 and up{job=\"raftlab\"} == 1")
                let commits = try api.query("sum(rate(raft_proposals_committed_total[1m])) > 0")
                return counts.count == 3 && !commits.isEmpty
            }
            #expect(scraped, "Prometheus did not scrape all 3 nodes twice with commits in between (log \(prometheus.logPath))")

            let runID = launcher.run.runID
            var checked = 0
            for (panel, expression) in dashboard.expressions {
                let query = GrafanaDashboard.substitute(expression, variables: ["instance": instances, "run": [runID]],
                                                        rateInterval: "30s", range: "5m")
                let result = try api.query(query)
                #expect(!result.isEmpty, "panel '\(panel)': \(query) returned no series")
                checked += 1
            }
            #expect(checked >= dashboard.panelCount, "some panels have no query")
            // The variables' own queries resolve to this run's nodes.
            for (name, expression) in dashboard.variableQueries {
                let values = try api.labelValues(expression, variables: ["run": [runID]])
                #expect(!values.isEmpty, "variable $\(name): \(expression) found no values")
            }
            #expect(try api.query("sum(raft_is_leader{job=\"raftlab\"})").first?.value == "1")
            #expect(try api.query("count(raft_has_leader == 1)").first?.value == "3")

            for node in launcher.cluster.nodes {
                let port = try #require(node.metrics)
                let response = try LoopbackHTTPClient(port: port).get("/metrics")
                #expect(response.status == 200)
                #expect(response.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true)
                let check = try runTool("promtool", ["check", "metrics"], input: response.body)
                #expect(check.status == 0 && check.output.isEmpty, "promtool check metrics, node \(node.id): \(check.output)")
            }
        } catch {
            _ = try? await launcher.shutdown(startedAt: started)
            throw error
        }
        _ = try await launcher.shutdown(startedAt: started)
        #expect(launcher.prometheus.map { !$0.isRunning } ?? false, "Prometheus still runs after the run stopped")
        try? FileManager.default.removeItem(atPath: root)
    }

    @Test("two of three nodes killed: the real Prometheus fires RaftNoLeader, RaftMembersDown and RaftInsufficientMembers",
          .enabled(if: !skipRequested, "skipped because RAFTLAB_SKIP_PROMETHEUS_TESTS=1"), .exclusive(timeLimit: .seconds(300)))
    func alertsFireOnALostQuorum() async throws {
        guard try requireTool("prometheus") != nil else { return }
        let root = try temporaryTracesRoot("prometheus-alerts")
        let launcher = try ClusterLauncher(options: testOptions(nodes: 3, root: root), executable: try raftlabExecutable())
        let started = ContinuousClock.now
        do {
            let leader = try await launcher.startCluster()
            let api = PrometheusAPI(port: try await launcher.startPrometheus().port)
            #expect(try await eventually(timeout: .seconds(90)) { try api.query("up{job=\"raftlab\"} == 1").count == 3 })
            let victims = launcher.client.nodeIDs.filter { $0 != leader }.prefix(1) + [leader]
            let survivor = try #require(launcher.client.nodeIDs.first { !victims.contains($0) })
            for victim in victims {
                launcher.processes.kill9(victim)
                launcher.client.forget(victim)
            }
            var firing: [(name: String, node: String?)] = []
            let fired = try await eventually(timeout: .seconds(120)) {
                firing = try api.firingAlerts()
                let names = Set(firing.map(\.name))
                return names.isSuperset(of: ["RaftNoLeader", "RaftMembersDown", "RaftInsufficientMembers"])
            }
            #expect(fired, "firing: \(firing)")
            #expect(firing.filter { $0.name == "RaftNoLeader" }.map(\.node) == ["\(survivor)"])
            #expect(Set(firing.filter { $0.name == "RaftMembersDown" }.compactMap(\.node)) == Set(victims.map { "\($0)" }))
        } catch {
            _ = try? await launcher.shutdown(startedAt: started)
            throw error
        }
        _ = await launcher.stopCluster(startedAt: started)
        try? FileManager.default.removeItem(atPath: root)
    }

    @Test("up --prometheus prints Prometheus's URL, and no Prometheus outlives the launcher: not after Ctrl-C, not after kill -9",
          .enabled(if: !skipRequested, "skipped because RAFTLAB_SKIP_PROMETHEUS_TESTS=1"), .exclusive(timeLimit: .seconds(300)))
    func prometheusStopsWithTheLauncher() async throws {
        guard try requireTool("prometheus") != nil else { return }
        for signal in [SIGINT, SIGKILL] {
            let root = try temporaryTracesRoot("up-prometheus")
            let launcher = Process()
            launcher.executableURL = URL(fileURLWithPath: try raftlabExecutable())
            launcher.arguments = ["up", "--nodes", "3", "--load", "20", "--prometheus", "--traces", root, "--quiet"]
            let output = Pipe()
            launcher.standardOutput = output
            launcher.standardError = FileHandle.nullDevice
            try launcher.run()
            let lines = LineCollector(output.fileHandleForReading)
            let announced = await eventually { lines.text.contains("workload:") }
            #expect(announced, "up did not start its workload: \(lines.text)")
            if announced {
                let line = try #require(lines.text.split(separator: "\n").first { $0.hasPrefix("prometheus: http://127.0.0.1:") })
                let port = try #require(Int(line.dropFirst("prometheus: http://127.0.0.1:".count).prefix { $0.isNumber }))
                #expect(try LoopbackHTTPClient(port: port).get("/-/ready").status == 200)
                #expect(LauncherTests.processes(mentioning: root + "/").count >= 4, "3 nodes and Prometheus run")
            }
            kill(launcher.processIdentifier, signal)
            let exited = await eventually { !launcher.isRunning }
            if !exited { kill(launcher.processIdentifier, SIGKILL) }
            let gone = await eventually(timeout: .seconds(30)) { LauncherTests.processes(mentioning: root + "/").isEmpty }
            for pid in LauncherTests.processes(mentioning: root + "/") { kill(pid, SIGKILL) }
            #expect(gone, "after signal \(signal), processes of the run remain")
            if signal == SIGINT { #expect(lines.text.contains("merged trace:"), "\(lines.text)") }
            try? FileManager.default.removeItem(atPath: root)
        }
    }

    @Test("promtool accepts alerts.yml, and its unit tests (alerts firing and clearing) pass",
          .enabled(if: !skipRequested, "skipped because RAFTLAB_SKIP_PROMETHEUS_TESTS=1"))
    func alertRulesPassPromtool() throws {
        guard try requireTool("promtool") != nil else { return }
        let check = try runTool("promtool", ["check", "rules", repositoryFile("Dashboards/alerts.yml")])
        #expect(check.status == 0, "\(check.output)")
        #expect(check.output.contains("SUCCESS"))
        let unit = try runTool("promtool", ["test", "rules", repositoryFile("Dashboards/alerts_test.yml")])
        #expect(unit.status == 0, "\(unit.output)")
    }

    @Test("the alert rules up installs in a run directory are Dashboards/alerts.yml")
    func installedAlertsAreTheDashboardsFile() throws {
        let committed = try String(contentsOfFile: repositoryFile("Dashboards/alerts.yml"), encoding: .utf8)
        #expect(committed == AlertRules.yaml, "Sources/RaftLab/Prometheus/AlertRules.swift and Dashboards/alerts.yml differ")
    }

    @Test("up writes prometheus.yml with file-based discovery of every node and run.json lists each metrics port")
    func runDirectoryDescribesTheScrape() throws {
        let root = try temporaryTracesRoot("prometheus-config")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let run = try RunDirectory.create(root: root)
        let cluster = try run.writeDescriptions(testOptions(nodes: 4, root: root), clusterID: 7)
        let ports = cluster.nodes.compactMap(\.metrics)
        #expect(ports.count == 4 && Set(ports).count == 4)

        let config = try String(contentsOfFile: run.prometheus.configPath, encoding: .utf8)
        #expect(config.contains("file_sd_configs:") && config.contains("prometheus-targets.json") && config.contains("alerts.yml"))
        let targets = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: run.prometheus.targetsPath)))
                                     as? [[String: Any]])
        let listed = targets.compactMap { ($0["targets"] as? [String])?.first }
        #expect(Set(listed) == Set(ports.map { "127.0.0.1:\($0)" }))
        #expect(targets.allSatisfy { ($0["labels"] as? [String: String])?["run"] == run.runID })
        #expect(try String(contentsOfFile: run.prometheus.alertsPath, encoding: .utf8) == AlertRules.yaml)

        let manifest = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: run.layout.manifestPath)))
                                        as? [String: Any])
        let parameters = try #require(manifest["parameters"] as? [String: String])
        for node in cluster.nodes {
            #expect(parameters["node_\(node.id)_metrics"] == "http://127.0.0.1:\(node.metrics!)/metrics")
        }
        if try requireTool("promtool", failing: false) != nil {
            let check = try runTool("promtool", ["check", "config", run.prometheus.configPath])
            #expect(check.status == 0, "\(check.output)")
        }
    }

    @Test("the dashboard is a Grafana 10 dashboard: datasource and instance variables, a panel for every figure the issue lists")
    func dashboardStructure() throws {
        let dashboard = try GrafanaDashboard.load(path: repositoryFile("Dashboards/raftlab.json"))
        try dashboard.validate()
        let metrics = dashboard.expressions.map(\.expression).joined(separator: "\n")
        for metric in ["raft_is_leader", "raft_term", "raft_leader_changes_seen_total", "raft_proposals_committed_total",
                       "raft_proposals_pending", "raft_proposals_failed_total", "raft_commit_latency_seconds_bucket",
                       "raft_fsync_duration_seconds_bucket", "raft_messages_sent_total", "raft_peer_round_trip_seconds_bucket",
                       "process_resident_memory_bytes", "process_cpu_seconds_total"] {
            #expect(metrics.contains(metric), "no panel shows \(metric)")
        }
        #expect(metrics.contains("histogram_quantile(0.99, sum by (le, node) (rate(raft_commit_latency_seconds_bucket"))
        #expect(metrics.contains("histogram_quantile(0.5, sum by (le, node) (rate(raft_commit_latency_seconds_bucket"))
    }

    @Test("a broken dashboard is refused with the panel and field named")
    func brokenDashboardsAreRefused() throws {
        let valid = try Data(contentsOf: URL(fileURLWithPath: repositoryFile("Dashboards/raftlab.json")))
        var object = try #require(JSONSerialization.jsonObject(with: valid) as? [String: Any])
        var panels = try #require(object["panels"] as? [[String: Any]])
        let index = try #require(panels.firstIndex { ($0["type"] as? String) == "timeseries" })
        panels[index]["datasource"] = ["type": "prometheus", "uid": "my-prometheus"]
        object["panels"] = panels
        let broken = try GrafanaDashboard(data: JSONSerialization.data(withJSONObject: object))
        #expect(throws: GrafanaDashboard.Problem.self) { try broken.validate() }
        do { try broken.validate() } catch { #expect("\(error)".contains("datasource")) }
    }
}

/// The repository file at `relative` (from this source file's place).
func repositoryFile(_ relative: String) -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent(relative).path
}

/// The path of `tool` on PATH; records an issue saying how to install it when missing.
@discardableResult
func requireTool(_ tool: String, failing: Bool = true) throws -> String? {
    if let found = ExecutableSearch.onPath(tool) { return found }
    if failing {
        Issue.record("""
            this test needs \(tool), which is not on the PATH. Install it (Debian: apt-get install prometheus, which has \
            prometheus and promtool) or set \(PrometheusTests.skipVariable)=1 to skip the Prometheus tests on purpose.
            """)
    }
    return nil
}

/// Runs `tool` with `arguments` (and `input` on stdin); returns its exit status and its
/// combined output.
func runTool(_ tool: String, _ arguments: [String], input: Data? = nil) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [tool] + arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    let stdin = Pipe()
    process.standardInput = stdin
    try process.run()
    if let input { stdin.fileHandleForWriting.write(input) }
    try stdin.fileHandleForWriting.close()
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (process.terminationStatus, text)
}
