import Prometheus

extension MetricNameDescriptor {
    /// A descriptor for the full metric name `name` (units already in it) with help text.
    static func named(_ name: String, help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }
}
