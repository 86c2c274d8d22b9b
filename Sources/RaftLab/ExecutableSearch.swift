import Foundation

/// Finds the programs the lab starts (Prometheus, promtool) the way a shell would.
public enum ExecutableSearch {
    /// The first executable `name` in a directory of `PATH`, if any.
    public static func onPath(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
