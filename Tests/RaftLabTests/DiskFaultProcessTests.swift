import Foundation
import RaftAnalyze
import RaftCore
import RaftLab
import RaftRuntime
import TestGate
import Testing

/// A node whose disk fails stops cleanly: exit status 1, one line naming its log file and the
/// error, nothing that depended on the failed write sent or acknowledged, and the others go
/// on (before, a failed write was a `fatalError`: a crash with a backtrace). A failed
/// fdatasync is never retried (the kernel may have dropped the pages: "fsyncgate").
@Suite("Disk faults stop a node cleanly", .serialized, .exclusive)
struct DiskFaultProcessTests {
    static let skipMountVariable = "RAFTLAB_SKIP_MOUNT_TESTS"

    @Test("EIO at fdatasync (a failpoint): the node exits 1 naming its log, the cluster commits on, nothing acknowledged is lost")
    func eioStopsTheNode() async throws {
        let root = try temporaryTracesRoot("eio")
        defer { try? FileManager.default.removeItem(atPath: root) }
        var options = testOptions(nodes: 3, root: root)
        options.metrics = false
        let launcher = try ClusterLauncher(options: options, executable: try raftlabExecutable())
        let started = ContinuousClock.now
        let report: ClusterLauncher.Report
        do {
            let leader = try await launcher.startCluster()
            let victim = launcher.client.nodeIDs.first { $0 != leader }!
            launcher.processes.kill9(victim)
            launcher.client.forget(victim)
            try launcher.processes.start(victim, environment: [Failpoints.environmentVariable: "sync?appended=1*eio"])
            try await Self.commitUntilStopped(victim, launcher)
            try await Self.expectCleanStop(victim, launcher, mentioning: "fdatasync failed: Input/output error (errno 5)")
            report = try await launcher.shutdown(startedAt: started)
        } catch {
            _ = try? await launcher.shutdown(startedAt: started)
            throw error
        }
        try Self.expectSafe(report)
    }

    @Test("ENOSPC on a full disk (a 512 KiB tmpfs): the node exits 1 naming its log, the cluster commits on, nothing acknowledged is lost",
          .enabled(if: ProcessInfo.processInfo.environment[skipMountVariable] != "1"))
    func fullDiskStopsTheNode() async throws {
        let root = try temporaryTracesRoot("enospc")
        defer { try? FileManager.default.removeItem(atPath: root) }
        var options = testOptions(nodes: 3, root: root)
        options.metrics = false
        let launcher = try ClusterLauncher(options: options, executable: try raftlabExecutable())
        let victim = 2
        let data = launcher.cluster.nodes.first { $0.id == victim }!.data
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        guard Self.run("/bin/mount", ["-t", "tmpfs", "-o", "size=512k", "tmpfs", data]) == 0 else {
            Issue.record("""
                this test puts node \(victim)'s data directory on a 512 KiB tmpfs and could not mount one (it needs root, as \
                CI has); set \(Self.skipMountVariable)=1 to skip it on purpose
                """)
            return
        }
        defer { _ = Self.run("/bin/umount", ["-l", data]) }
        let started = ContinuousClock.now
        let report: ClusterLauncher.Report
        do {
            _ = try await launcher.startCluster()
            try await Self.commitUntilStopped(victim, launcher, payloadBytes: 4096)
            try await Self.expectCleanStop(victim, launcher, mentioning: "No space left on device (errno 28)")
            report = try await launcher.shutdown(startedAt: started)
        } catch {
            _ = try? await launcher.shutdown(startedAt: started)
            throw error
        }
        try Self.expectSafe(report)
    }

    /// Commits proposals through the cluster until node `victim` has stopped, then a few more.
    static func commitUntilStopped(_ victim: NodeID, _ launcher: ClusterLauncher, payloadBytes: Int = 64) async throws {
        var request: RequestID = 1
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(120)
        var afterStop = 0
        while afterStop < 20 {
            guard clock.now < deadline else { throw LabError("node \(victim) still runs after 120 s of proposals") }
            let outcome = await launcher.client.proposeAsync(request, Array(repeating: UInt8(request % 251), count: payloadBytes))
            if case .committed = outcome, !launcher.processes.isRunning(victim) { afterStop += 1 }
            request += 1
        }
    }

    static func expectCleanStop(_ victim: NodeID, _ launcher: ClusterLauncher, mentioning error: String) async throws {
        #expect(launcher.processes.exitStatus(victim) == 1, "a clean stop with status 1, not a crash")
        let log = try String(contentsOfFile: launcher.run.layout.directory + "/logs/node-\(victim).log", encoding: .utf8)
        let line = log.split(separator: "\n").last { $0.contains("stopped: its durable write failed") }
        #expect(line != nil, "the node's log says why it stopped:\n\(log.suffix(2000))")
        #expect(line?.contains("raft.log") == true && line?.contains(error) == true, "\(line ?? "")")
        #expect(!log.contains("Fatal error"), "no crash")
    }

    static func expectSafe(_ report: ClusterLauncher.Report) throws {
        let analysis = try Analysis.run(try AnalysisInputs(paths: [report.runDirectory]))
        let violated = analysis.safety.filter { !$0.holds }.map { "\($0.property): \($0.violations.first?.message ?? "")" }
        #expect(violated.isEmpty, "\(violated)")
    }

    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }
}
