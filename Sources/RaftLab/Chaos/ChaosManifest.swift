import Foundation
import RaftTrace

/// Adds a chaos run's description to the `run.json` the launcher wrote: the seed (already
/// there), the nemeses and timings as `chaos_*` parameters the analyzer's report shows, and
/// a `chaos` object with the whole planned schedule and the reproducing command.
enum ChaosManifest {
    /// The `chaos` object of `run.json`.
    struct Description: Codable {
        var seed: UInt64
        var nemeses: [NemesisKind]
        var intervalSeconds: Double
        var durationSeconds: Double
        var faultSeconds: Double
        var reproduce: String
        var schedule: [ChaosSchedule.Step]

        enum CodingKeys: String, CodingKey {
            case seed, nemeses, intervalSeconds = "interval_s", durationSeconds = "duration_s"
            case faultSeconds = "fault_s", reproduce, schedule
        }
    }

    /// Rewrites `path` (a `run.json`) with the chaos description of `options` added.
    static func amend(path: String, options: ChaosOptions, schedule: ChaosSchedule) throws {
        var manifest = try RunManifest.read(path: path)
        manifest.parameters["chaos_nemeses"] = options.nemeses.map(\.rawValue).joined(separator: ",")
        manifest.parameters["chaos_interval_s"] = ChaosOptions.number(options.intervalSeconds)
        manifest.parameters["chaos_duration_s"] = ChaosOptions.number(options.durationSeconds)
        manifest.parameters["chaos_fault_s"] = ChaosOptions.number(options.resolvedFaultSeconds)
        manifest.parameters["chaos_faults_planned"] = "\(schedule.steps.count)"
        manifest.parameters["request_timeout_ms"] = "\(options.cluster.requestTimeoutMs)"
        let description = Description(seed: schedule.seed, nemeses: options.nemeses, intervalSeconds: options.intervalSeconds,
                                      durationSeconds: options.durationSeconds, faultSeconds: options.resolvedFaultSeconds,
                                      reproduce: options.reproduceCommand(seed: schedule.seed), schedule: schedule.steps)
        let encoder = JSONEncoder()
        guard var object = try JSONSerialization.jsonObject(with: try encoder.encode(manifest)) as? [String: Any] else {
            throw LabError("\(path): run.json is not a JSON object")
        }
        object["chaos"] = try JSONSerialization.jsonObject(with: try encoder.encode(description))
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        try (data + Data("\n".utf8)).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
