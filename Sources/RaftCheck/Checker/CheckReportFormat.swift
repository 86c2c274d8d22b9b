/// The text a check prints, in the shape of stateright's `WriteReporter` so that users of
/// raft-lite's `cargo run -- -m check` read it the same way.
public enum CheckReportFormat {
    /// `Checking. states=…, unique=…, depth=…` (printed every second while running).
    public static func progressLine(_ progress: CheckProgress) -> String {
        "Checking. states=\(progress.stateCount), unique=\(progress.uniqueCount), depth=\(progress.depth)"
    }

    /// `Done. states=…, unique=…, depth=…, sec=…` (whole seconds, as stateright prints).
    public static func doneLine(_ progress: CheckProgress) -> String {
        "Done. states=\(progress.stateCount), unique=\(progress.uniqueCount), depth=\(progress.depth), sec=\(Int(progress.elapsedSeconds))"
    }

    /// `Discovered "NAME" example|counterexample Path[n]:` then one `- action` line per step.
    public static func discoveryText<M: Model>(_ discovery: Discovery<M>, model: M) -> String {
        var text = "Discovered \"\(discovery.property.name)\" \(discovery.classification.rawValue) Path[\(discovery.actions.count)]:\n"
        for action in discovery.actions {
            text += "- \(model.label(of: action))\n"
        }
        return text
    }

    /// `Performance: … s, … states/s, … unique/s, peak memory … MB` (not in stateright's output:
    /// the figures the issue asks for).
    public static func performanceLine(_ progress: CheckProgress, peakResidentBytes: Int?) -> String {
        let seconds = max(progress.elapsedSeconds, 1e-9)
        let statesPerSecond = Int((Double(progress.stateCount) / seconds).rounded())
        let uniquePerSecond = Int((Double(progress.uniqueCount) / seconds).rounded())
        let memory = peakResidentBytes.map { "\(($0 + (1 << 19)) >> 20) MB" } ?? "unknown"
        let time = (progress.elapsedSeconds * 1000).rounded() / 1000
        return "Performance: \(time) s, \(statesPerSecond) states/s, \(uniquePerSecond) unique/s, peak memory \(memory)"
    }
}
