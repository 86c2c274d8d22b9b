import Foundation
import LoopbackHTTP

/// Prometheus's HTTP API on 127.0.0.1, as far as the tests ask it: instant queries and the
/// values a Grafana `label_values(...)` variable would offer.
struct PrometheusAPI {
    /// One series of a query's result: its labels and its value as Prometheus prints it.
    struct Sample {
        var labels: [String: String]
        var value: String
    }

    struct QueryError: Error, CustomStringConvertible {
        var description: String
    }

    let port: Int

    /// Evaluates `query` now; throws with Prometheus's error for a bad expression.
    func query(_ query: String) throws -> [Sample] {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        let encoded = query.addingPercentEncoding(withAllowedCharacters: allowed) ?? query
        let response = try LoopbackHTTPClient(port: port).get("/api/v1/query?query=\(encoded)")
        let object = try response.object()
        guard response.status == 200, object["status"] as? String == "success",
              let data = object["data"] as? [String: Any], let type = data["resultType"] as? String else {
            throw QueryError(description: "\(query): HTTP \(response.status): \(object["error"] ?? response.text)")
        }
        switch type {
        case "vector":
            return (data["result"] as? [[String: Any]] ?? []).map { series in
                Sample(labels: series["metric"] as? [String: String] ?? [:],
                       value: (series["value"] as? [Any])?.last as? String ?? "")
            }
        case "scalar", "string":
            return [Sample(labels: [:], value: (data["result"] as? [Any])?.last as? String ?? "")]
        default:
            throw QueryError(description: "\(query): unexpected result type \(type)")
        }
    }

    /// The alerts firing now: name and `node` label.
    func firingAlerts() throws -> [(name: String, node: String?)] {
        let response = try LoopbackHTTPClient(port: port).get("/api/v1/alerts")
        let object = try response.object()
        guard let alerts = (object["data"] as? [String: Any])?["alerts"] as? [[String: Any]] else {
            throw QueryError(description: "/api/v1/alerts: HTTP \(response.status): \(response.text)")
        }
        return alerts.compactMap { alert in
            guard alert["state"] as? String == "firing", let labels = alert["labels"] as? [String: String],
                  let name = labels["alertname"] else { return nil }
            return (name, labels["node"])
        }
    }

    /// The values Grafana would list for `label_values(selector, label)`, with `$name`
    /// variables of the selector substituted.
    func labelValues(_ definition: String, variables: [String: [String]]) throws -> [String] {
        let trimmed = definition.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("label_values("), trimmed.hasSuffix(")"),
              let comma = trimmed.lastIndex(of: ",") else {
            throw QueryError(description: "not a label_values(selector, label) definition: \(definition)")
        }
        let selector = String(trimmed[trimmed.index(trimmed.startIndex, offsetBy: 13)..<comma])
        let label = trimmed[trimmed.index(after: comma)..<trimmed.index(before: trimmed.endIndex)].trimmingCharacters(in: .whitespaces)
        let expression = GrafanaDashboard.substitute(selector, variables: variables, rateInterval: "1m", range: "5m")
        return try query("group by (\(label)) (\(expression))").compactMap { $0.labels[label] }
    }
}
