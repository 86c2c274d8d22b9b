import Foundation
import RaftCore

/// The node processes of one run: started as `raftlab node`, killed, paused, restarted.
///
/// Every child gets a pipe as its standard input and exits when it reads end-of-file, which
/// happens when the launcher dies for any reason (even `kill -9`): no orphan survives it.
public final class NodeProcessSet: @unchecked Sendable {
    /// The `raftlab` executable the nodes run.
    public let executable: String
    /// The cluster file every node reads.
    public let clusterFile: String
    /// Where each node's stdout and stderr go (`node-<id>.log`).
    public let logDirectory: String

    private let lock = NSLock()
    private var processes: [NodeID: Process] = [:]
    private var parentPipes: [NodeID: Pipe] = [:]
    private var paused: Set<NodeID> = []

    public init(executable: String, clusterFile: String, logDirectory: String) {
        self.executable = executable
        self.clusterFile = clusterFile
        self.logDirectory = logDirectory
    }

    /// The path of the running `raftlab` binary (so the launcher starts the same build).
    public static func currentExecutable() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    /// Starts node `id` (again). `extraArguments` go after the standard ones; `environment`
    /// is added to the launcher's (crash tests set `RAFTLAB_FAILPOINTS` there).
    public func start(_ id: NodeID, extraArguments: [String] = [], environment: [String: String] = [:]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["node", "--cluster", clusterFile, "--id", String(id), "--exit-with-parent"] + extraArguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        }
        let logPath = logDirectory + "/node-\(id).log"
        if !FileManager.default.fileExists(atPath: logPath) {
            _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        log.seekToEndOfFile()
        process.standardOutput = log
        process.standardError = log
        let pipe = Pipe()
        process.standardInput = pipe
        try process.run()
        try? log.close()
        lock.withLock {
            processes[id] = process
            parentPipes[id] = pipe
            paused.remove(id)
        }
    }

    /// Whether node `id`'s process is alive.
    public func isRunning(_ id: NodeID) -> Bool {
        lock.withLock { processes[id]?.isRunning ?? false }
    }

    /// How node `id`'s last process ended (its exit status, or the signal for a killed one),
    /// or `nil` while it runs or if it never ran.
    public func exitStatus(_ id: NodeID) -> Int32? {
        lock.withLock { processes[id].flatMap { $0.isRunning ? nil : $0.terminationStatus } }
    }

    /// The process id of node `id`, if it runs.
    public func pid(_ id: NodeID) -> Int32? {
        lock.withLock { processes[id].flatMap { $0.isRunning ? $0.processIdentifier : nil } }
    }

    /// Sends `signal` to node `id` (SIGKILL, SIGSTOP, SIGCONT, SIGTERM).
    public func signal(_ id: NodeID, _ signal: Int32) {
        guard let pid = pid(id) else { return }
        kill(pid, signal)
        lock.withLock {
            if signal == SIGSTOP { paused.insert(id) } else if signal == SIGCONT { paused.remove(id) }
        }
    }

    /// Kills node `id` with SIGKILL and waits until it is gone.
    public func kill9(_ id: NodeID) {
        let process = lock.withLock { processes[id] }
        guard let process, process.isRunning else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        _ = lock.withLock { paused.remove(id) }
    }

    /// Stops every node: SIGCONT for paused ones, SIGTERM, then SIGKILL after `graceSeconds`.
    public func stopAll(graceSeconds: Double = 5) {
        let all = lock.withLock { (processes, paused) }
        for id in all.1 { if let process = all.0[id], process.isRunning { kill(process.processIdentifier, SIGCONT) } }
        // SIGINT, not SIGTERM: the whole cluster stops, so no leader should try to hand over
        // (a node stopped alone with SIGTERM does, `NodeProcess`).
        for process in all.0.values where process.isRunning { process.interrupt() }
        let deadline = Date().addingTimeInterval(graceSeconds)
        for process in all.0.values {
            while process.isRunning && Date() < deadline { usleep(10_000) }
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
        }
        lock.withLock { parentPipes.removeAll() }
    }

    /// Peak resident memory of node `id`'s process so far (Linux `VmHWM`), in bytes. Most of
    /// it is file-backed pages (the binary, the Swift runtime) shared by every node.
    public func peakMemoryBytes(_ id: NodeID) -> Int? { statusField("VmHWM", of: id) }

    /// Open file descriptors of node `id`'s process now (Linux `/proc/<pid>/fd`).
    public func openDescriptors(_ id: NodeID) -> Int? {
        guard let pid = pid(id) else { return nil }
        return (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd"))?.count
    }

    /// Resident memory of node `id`'s process now (Linux `VmRSS`), in bytes.
    public func residentMemoryBytes(_ id: NodeID) -> Int? { statusField("VmRSS", of: id) }

    /// Memory private to node `id`'s process now (Linux `RssAnon`: heap and stacks), in bytes.
    public func privateMemoryBytes(_ id: NodeID) -> Int? { statusField("RssAnon", of: id) }

    /// Proportional set size of node `id`'s process now (Linux `Pss` of `smaps_rollup`): its
    /// private pages plus its share of the pages it shares with the other nodes, in bytes.
    public func proportionalMemoryBytes(_ id: NodeID) -> Int? { statusField("Pss", of: id, in: "smaps_rollup") }

    /// A `name: N kB` line of `/proc/<pid>/<file>`, in bytes.
    private func statusField(_ name: String, of id: NodeID, in file: String = "status") -> Int? {
        guard let pid = pid(id),
              let status = try? String(contentsOfFile: "/proc/\(pid)/\(file)", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }),
              let kib = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        else { return nil }
        return kib * 1024
    }

    /// Ids of the nodes that were started at least once.
    public var ids: [NodeID] { lock.withLock { processes.keys.sorted() } }
}
