import Foundation

/// Where tests leave files for people to look at (screenshots): `$RAFTLAB_TEST_OUTPUT_DIR/<suite>`
/// when that is set, else `.build/test-output/<suite>` in the package.
enum TestOutput {
    /// Environment variable naming the output root.
    static let variable = "RAFTLAB_TEST_OUTPUT_DIR"

    /// The package's root directory (this file is `Tests/RaftExploreTests/TestOutput.swift`).
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The output directory of `suite`, created if needed.
    static func directory(_ suite: String) throws -> URL {
        let root = ProcessInfo.processInfo.environment[variable].map { URL(fileURLWithPath: $0) }
            ?? packageRoot.appendingPathComponent(".build/test-output")
        let directory = root.appendingPathComponent(suite)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }
}
