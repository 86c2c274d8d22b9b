import Foundation
import RaftCore
import RaftLab

/// The `raftlab` binary next to this test bundle (`swift test` builds it).
func raftlabExecutable() throws -> String {
    let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for candidate in [bundle, bundle.deletingLastPathComponent()] {
        let path = candidate.appendingPathComponent("raftlab").path
        if FileManager.default.isExecutableFile(atPath: path) { return path }
    }
    throw LabError("raftlab executable not found next to \(CommandLine.arguments[0]); run `swift build` first")
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
