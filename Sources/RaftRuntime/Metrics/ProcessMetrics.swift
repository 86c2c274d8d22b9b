import Prometheus

/// Prometheus's standard `process_*` metrics for this process, read from `/proc` on each
/// scrape (swift-prometheus has no process collector). Owned by `NodeMetrics`, refreshed
/// under its checks.
final class ProcessMetrics {
    private let resident: Gauge
    private let virtual: Gauge
    private let cpu: Prometheus.Counter
    private let startTime: Gauge
    private let openFileDescriptors: Gauge
    private let fileDescriptorsMax: Gauge
    /// CPU seconds already added to the counter (which can only be incremented).
    private var cpuSecondsCounted = 0.0

    init(registry: PrometheusCollectorRegistry) {
        resident = registry.makeGauge(descriptor: .named("process_resident_memory_bytes", help: "Resident memory size in bytes."))
        virtual = registry.makeGauge(descriptor: .named("process_virtual_memory_bytes", help: "Virtual memory size in bytes."))
        cpu = registry.makeCounter(descriptor: .named("process_cpu_seconds_total", help: "Total user and system CPU time spent in seconds."))
        startTime = registry.makeGauge(descriptor: .named("process_start_time_seconds",
                                       help: "Start time of the process since the Unix epoch in seconds."))
        openFileDescriptors = registry.makeGauge(descriptor: .named("process_open_fds", help: "Number of open file descriptors."))
        fileDescriptorsMax = registry.makeGauge(descriptor: .named("process_max_fds", help: "Maximum number of open file descriptors."))
        refresh()
    }

    /// Reads `/proc` and updates the metrics.
    func refresh() {
        guard let now = ProcessStatistics.current() else { return }
        resident.set(Int64(now.residentBytes))
        virtual.set(Int64(now.virtualBytes))
        if now.cpuSeconds > cpuSecondsCounted {
            cpu.increment(by: now.cpuSeconds - cpuSecondsCounted)
            cpuSecondsCounted = now.cpuSeconds
        }
        startTime.set(now.startTimeSeconds)
        openFileDescriptors.set(Int64(now.openFileDescriptors))
        fileDescriptorsMax.set(Double(now.fileDescriptorsMax))
    }
}
