import Foundation
import LoopbackHTTP

/// A real Prometheus (Debian package `prometheus`) scraping one run, as `raftlab up
/// --prometheus` and the tests start it: on 127.0.0.1, its data and log in the run directory.
///
/// Prometheus runs under a small shell that ends it when its standard input closes, which
/// happens when the launcher stops it or dies for any reason (even `kill -9`): no Prometheus
/// outlives the run.
public final class PrometheusProcess: Sendable {
    /// The port of Prometheus's web UI and HTTP API.
    public let port: Int
    /// Where Prometheus's output goes.
    public let logPath: String
    private let process: Process
    private let stdin: Pipe

    /// Whether Prometheus (or the shell that owns it) still runs.
    public var isRunning: Bool { process.isRunning }

    /// `http://127.0.0.1:<port>`.
    public var url: String { "http://127.0.0.1:\(port)" }

    /// Starts Prometheus on `setup`'s config, keeping its data in `dataDirectory`, serving on
    /// `port`; returns once it answers `/-/ready`.
    public static func start(setup: PrometheusSetup, dataDirectory: String, port: Int, logPath: String,
                             readyTimeout: Duration = .seconds(60)) async throws -> PrometheusProcess {
        guard let executable = ExecutableSearch.onPath("prometheus") else {
            throw LabError("prometheus is not installed (Debian: apt-get install prometheus); the run's config is \(setup.configPath)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        // The shell stops Prometheus when stdin closes (cat returns) or on SIGTERM.
        let script = #"""
        "$0" "$@" & child=$!
        trap 'kill $child 2>/dev/null; wait $child; exit 0' TERM INT
        cat >/dev/null
        kill $child 2>/dev/null
        wait $child
        """#
        process.arguments = ["-c", script, executable,
                             "--config.file=\(setup.configPath)",
                             "--storage.tsdb.path=\(dataDirectory)",
                             "--web.listen-address=127.0.0.1:\(port)"]
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = log
        process.standardError = log
        let stdin = Pipe()
        process.standardInput = stdin
        try process.run()
        try? log.close()
        let prometheus = PrometheusProcess(port: port, logPath: logPath, process: process, stdin: stdin)
        do {
            try await prometheus.waitUntilReady(timeout: readyTimeout)
        } catch {
            prometheus.stop()
            throw error
        }
        return prometheus
    }

    private init(port: Int, logPath: String, process: Process, stdin: Pipe) {
        self.port = port
        self.logPath = logPath
        self.process = process
        self.stdin = stdin
    }

    private func waitUntilReady(timeout: Duration) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        let client = LoopbackHTTPClient(port: port, timeoutSeconds: 5)
        while clock.now < deadline {
            guard process.isRunning else {
                throw LabError("prometheus exited with status \(process.terminationStatus) before it was ready: \(logTail())")
            }
            if let response = try? client.get("/-/ready"), response.status == 200 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw LabError("prometheus did not become ready on \(url) within \(timeout): \(logTail())")
    }

    /// Stops Prometheus (it flushes its data) and waits for it to exit.
    public func stop() {
        try? stdin.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    /// The last line of Prometheus's log, for error messages.
    private func logTail() -> String {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").last.map(String.init) ?? "(no output; log \(logPath))"
    }
}
