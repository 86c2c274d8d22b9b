import Foundation
import RaftCore
import RaftLab
import Testing

/// The `raftlab` binary next to this test bundle (`swift test` builds it).
func raftlabExecutable() throws -> String {
    let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for candidate in [bundle, bundle.deletingLastPathComponent()] {
        let path = candidate.appendingPathComponent("raftlab").path
        if FileManager.default.isExecutableFile(atPath: path) { return path }
    }
    throw LabError("raftlab executable not found next to \(CommandLine.arguments[0]); run `swift build` first")
}

/// Runs the example executable `name` (built next to `raftlab`) to its end, killed after
/// `timeoutSeconds`; returns its exit status and what it printed.
func runExample(_ name: String, timeoutSeconds: Double = 120) throws -> (status: Int32, output: String) {
    let directory = URL(fileURLWithPath: try raftlabExecutable()).deletingLastPathComponent()
    let process = Process()
    process.executableURL = directory.appendingPathComponent(name)
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let watchdog = DispatchWorkItem { if process.isRunning { process.terminate() } }
    DispatchQueue.global().asyncAfter(deadline: .now() + timeoutSeconds, execute: watchdog)
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    watchdog.cancel()
    return (process.terminationStatus, text)
}

/// A fresh directory for one test's run directories.
func temporaryTracesRoot(_ name: String) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("raftlab-test-\(name)-\(UInt32.random(in: 0 ... .max))").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Waits until `condition` holds, polling every 20 ms, for at most `timeout`.
func eventually(timeout: Duration = .seconds(60), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while clock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}

/// Options for a quiet test cluster of `nodes` node processes.
func testOptions(nodes: Int, root: String) -> UpOptions {
    var options = UpOptions()
    options.nodes = nodes
    options.tracesRoot = root
    options.showsStatus = false
    options.seed = 42
    return options
}

/// Runs `raftlab` with `arguments` until it exits (killed after `timeout`); its output
/// goes through files in `directory` (removed afterwards), so no pipe can fill up.
func runToExit(_ arguments: [String], in directory: String,
               timeout: Duration = .seconds(60)) async throws -> (status: Int32, stdout: String, stderr: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try raftlabExecutable())
    process.arguments = arguments
    let outputs = [directory + "/run-\(UInt32.random(in: 0 ... .max)).out", directory + "/run-\(UInt32.random(in: 0 ... .max)).err"]
    defer { for path in outputs { try? FileManager.default.removeItem(atPath: path) } }
    for path in outputs { _ = FileManager.default.createFile(atPath: path, contents: nil) }
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outputs[0]))
    process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: outputs[1]))
    try process.run()
    if !(await eventually(timeout: timeout) { !process.isRunning }) {
        kill(process.processIdentifier, SIGKILL)
        Issue.record("raftlab \(arguments.joined(separator: " ")) did not exit within \(timeout)")
    }
    process.waitUntilExit()
    let read = { (path: String) in (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
    return (process.terminationStatus, read(outputs[0]), read(outputs[1]))
}
