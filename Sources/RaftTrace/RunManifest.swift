import Foundation

/// `run.json`: what a run was. The launcher writes it; the analyzer reads the fields it
/// knows and ignores the rest, so the launcher may add fields freely.
public struct RunManifest: Codable, Hashable, Sendable {
    /// The run's name (also its directory's name).
    public var runID: String
    /// When the run started, microseconds since the Unix epoch.
    public var startedUs: Int64
    /// Ids of the cluster's nodes.
    public var nodes: [Int]
    /// Seed of the run's randomness (timeouts, workload, chaos), when there is one.
    public var seed: UInt64?
    /// Free-form settings worth showing in a report (election timeout, load, ...).
    public var parameters: [String: String]

    /// A manifest with every field given.
    public init(runID: String, startedUs: Int64, nodes: [Int], seed: UInt64? = nil, parameters: [String: String] = [:]) {
        self.runID = runID
        self.startedUs = startedUs
        self.nodes = nodes
        self.seed = seed
        self.parameters = parameters
    }

    enum CodingKeys: String, CodingKey {
        case runID = "run_id", startedUs = "started_us", nodes, seed, parameters
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        runID = try container.decode(String.self, forKey: .runID)
        startedUs = try container.decodeIfPresent(Int64.self, forKey: .startedUs) ?? 0
        nodes = try container.decode([Int].self, forKey: .nodes)
        seed = try container.decodeIfPresent(UInt64.self, forKey: .seed)
        parameters = try container.decodeIfPresent([String: String].self, forKey: .parameters) ?? [:]
    }

    /// Reads `path`; throws with the path in the message when it is missing or invalid.
    public static func read(path: String) throws -> RunManifest {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TraceIOError(path: path, kind: .missing, detail: "")
        }
        do {
            return try JSONDecoder().decode(RunManifest.self, from: data)
        } catch {
            throw TraceIOError(path: path, kind: .malformedLine, line: 1, detail: "invalid run.json: \(error)")
        }
    }

    /// Writes the manifest to `path` as pretty-printed JSON.
    public func write(path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(self)
        guard FileManager.default.createFile(atPath: path, contents: data + Data("\n".utf8)) else {
            throw TraceIOError(path: path, kind: .system(errno: errno), detail: "create")
        }
    }
}
