import Foundation

/// A Grafana dashboard read as JSON, with the structural checks Grafana 10 would need to
/// import it and the PromQL of its panels (Grafana itself is not packaged for this machine).
struct GrafanaDashboard {
    /// What is wrong with a dashboard, naming the panel and field.
    struct Problem: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// The oldest schema version Grafana 10 writes (10.0 writes 38).
    static let schemaVersionMin = 36
    static let panelTypes: Set<String> = ["row", "timeseries", "stat", "gauge", "bargauge", "table", "text", "heatmap", "state-timeline"]
    static let datasourceReferences: Set<String> = ["${datasource}", "$datasource"]

    let object: [String: Any]

    init(data: Data) throws {
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw Problem("the dashboard is not a JSON object")
        }
        self.object = object
    }

    static func load(path: String) throws -> GrafanaDashboard {
        try GrafanaDashboard(data: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// Every panel, those inside collapsed rows included.
    var panels: [[String: Any]] {
        let top = object["panels"] as? [[String: Any]] ?? []
        return top.flatMap { [$0] + ($0["panels"] as? [[String: Any]] ?? []) }
    }

    /// Panels that are not rows.
    var panelCount: Int { panels.filter { $0["type"] as? String != "row" }.count }

    /// Each query of each panel: (panel title, PromQL).
    var expressions: [(panel: String, expression: String)] {
        panels.flatMap { panel in
            (panel["targets"] as? [[String: Any]] ?? []).compactMap { target in
                (target["expr"] as? String).map { (panel["title"] as? String ?? "?", $0) }
            }
        }
    }

    /// The template variables backed by a query: (name, `label_values(...)` definition).
    var variableQueries: [(name: String, expression: String)] {
        variables.compactMap { variable in
            guard variable["type"] as? String == "query", let name = variable["name"] as? String else { return nil }
            let query = (variable["query"] as? [String: Any])?["query"] as? String ?? variable["query"] as? String
            return query.map { (name, $0) }
        }
    }

    private var variables: [[String: Any]] {
        (object["templating"] as? [String: Any])?["list"] as? [[String: Any]] ?? []
    }

    /// Checks what Grafana 10 needs and what this project promises: schema, a datasource
    /// variable every panel uses, an instance variable every raftlab query filters on, unique
    /// panel ids, panels inside the 24-column grid without overlaps, queries with ref ids.
    func validate() throws {
        guard let schema = object["schemaVersion"] as? Int, schema >= Self.schemaVersionMin else {
            throw Problem("schemaVersion: need \(Self.schemaVersionMin) or later (Grafana 10), got \(object["schemaVersion"] ?? "none")")
        }
        for field in ["title", "uid"] where (object[field] as? String ?? "").isEmpty {
            throw Problem("\(field): missing or empty")
        }
        guard variables.contains(where: { $0["name"] as? String == "datasource" && $0["type"] as? String == "datasource"
                                          && $0["query"] as? String == "prometheus" }) else {
            throw Problem("templating: no 'datasource' variable of type datasource for prometheus")
        }
        guard let instance = variables.first(where: { $0["name"] as? String == "instance" }) else {
            throw Problem("templating: no 'instance' variable")
        }
        guard instance["type"] as? String == "query", Self.usesDatasourceVariable(instance["datasource"]),
              variableQueries.first(where: { $0.name == "instance" })?.expression.contains(", instance)") == true,
              instance["multi"] as? Bool == true || instance["includeAll"] as? Bool == true else {
            throw Problem("templating: 'instance' must be a multi-value label_values(..., instance) query on ${datasource}")
        }
        var ids: Set<Int> = []
        var occupied: [Int: Set<Int>] = [:] // row of the grid -> columns taken
        for panel in panels {
            let title = panel["title"] as? String ?? "?"
            guard let id = panel["id"] as? Int, ids.insert(id).inserted else {
                throw Problem("panel '\(title)': id missing or not unique")
            }
            guard let type = panel["type"] as? String, Self.panelTypes.contains(type) else {
                throw Problem("panel '\(title)': type \(panel["type"] ?? "none") is not a Grafana 10 panel type this dashboard uses")
            }
            guard let grid = panel["gridPos"] as? [String: Int], let x = grid["x"], let y = grid["y"], let w = grid["w"], let h = grid["h"],
                  x >= 0, y >= 0, w >= 1, h >= 1, x + w <= 24 else {
                throw Problem("panel '\(title)': gridPos must have x, y, w, h inside the 24-column grid")
            }
            for row in y..<(y + h) {
                let columns = Set(x..<(x + w))
                guard occupied[row, default: []].isDisjoint(with: columns) else {
                    throw Problem("panel '\(title)': gridPos overlaps another panel at row \(row)")
                }
                occupied[row, default: []].formUnion(columns)
            }
            if type == "row" { continue }
            guard Self.usesDatasourceVariable(panel["datasource"]) else {
                throw Problem("panel '\(title)': datasource must be the ${datasource} variable")
            }
            guard let targets = panel["targets"] as? [[String: Any]], !targets.isEmpty else {
                throw Problem("panel '\(title)': no targets")
            }
            var refIDs: Set<String> = []
            for target in targets {
                guard let refID = target["refId"] as? String, refIDs.insert(refID).inserted else {
                    throw Problem("panel '\(title)': a target's refId is missing or repeated")
                }
                guard let expression = target["expr"] as? String, !expression.isEmpty else {
                    throw Problem("panel '\(title)', target \(refID): expr missing")
                }
                guard Self.usesDatasourceVariable(target["datasource"]) else {
                    throw Problem("panel '\(title)', target \(refID): datasource must be the ${datasource} variable")
                }
                let readsNodes = expression.contains("raft_") || expression.contains("process_")
                guard !readsNodes || expression.contains(#"instance=~"$instance""#) else {
                    throw Problem("panel '\(title)', target \(refID): the query does not filter on instance=~\"$instance\"")
                }
            }
        }
    }

    private static func usesDatasourceVariable(_ value: Any?) -> Bool {
        guard let reference = value as? [String: Any] else { return false }
        return reference["type"] as? String == "prometheus" && datasourceReferences.contains(reference["uid"] as? String ?? "")
    }

    /// `expression` with Grafana's variables replaced as Grafana would for Prometheus:
    /// multi-value variables become a regex alternation of their escaped values.
    static func substitute(_ expression: String, variables: [String: [String]], rateInterval: String, range: String) -> String {
        var result = expression
        let builtIns = ["__rate_interval": rateInterval, "__range": range, "__interval": "1s"]
        for (name, value) in builtIns {
            result = result.replacingOccurrences(of: "${\(name)}", with: value).replacingOccurrences(of: "$\(name)", with: value)
        }
        // Longer names first, so `$instance` is not cut by a shorter variable's name.
        for (name, values) in variables.sorted(by: { $0.key.count > $1.key.count }) {
            let escaped = values.map { $0.replacingOccurrences(of: ".", with: #"\\."#) }
            let value = escaped.count == 1 ? escaped[0] : "(" + escaped.joined(separator: "|") + ")"
            result = result.replacingOccurrences(of: "${\(name)}", with: value).replacingOccurrences(of: "$\(name)", with: value)
        }
        return result
    }
}
