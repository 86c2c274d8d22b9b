import Foundation

/// Where a run's files live: `traces/<run-id>/` holding `run.json`, one
/// `node-<id>.jsonl.gz` per node, `client.jsonl.gz`, `chaos.jsonl.gz` (when faults were
/// injected) and the merged `trace.jsonl.gz`.
public struct RunLayout: Hashable, Sendable {
    /// The run directory.
    public var directory: String

    /// The layout of `directory`.
    public init(directory: String) { self.directory = directory }

    /// The layout of run `runID` under `root` (by default `traces`).
    public init(root: String = RunLayout.tracesRoot, runID: String) {
        directory = root + "/" + runID
    }

    /// Where runs go by default, relative to the working directory.
    public static let tracesRoot = "traces"
    /// The run's description (nodes, parameters, seed), see `RunManifest`.
    public static let manifestFileName = "run.json"
    /// The client workload's events.
    public static let clientFileName = "client.jsonl.gz"
    /// The nemesis events of chaos.
    public static let chaosFileName = "chaos.jsonl.gz"
    /// Every stream merged by `ts`, written at the end of a run.
    public static let mergedFileName = "trace.jsonl.gz"

    /// `node-<id>.jsonl.gz`.
    public static func nodeFileName(node: Int) -> String { "node-\(node).jsonl.gz" }

    /// Path of `run.json`.
    public var manifestPath: String { directory + "/" + Self.manifestFileName }
    /// Path of `client.jsonl.gz`.
    public var clientTracePath: String { directory + "/" + Self.clientFileName }
    /// Path of `chaos.jsonl.gz`.
    public var chaosTracePath: String { directory + "/" + Self.chaosFileName }
    /// Path of the merged `trace.jsonl.gz`.
    public var mergedTracePath: String { directory + "/" + Self.mergedFileName }
    /// Path of node `node`'s trace.
    public func nodeTracePath(node: Int) -> String { directory + "/" + Self.nodeFileName(node: node) }

    /// The per-stream files present: node traces by id, then the client's, then chaos's.
    public func sourceTracePaths() throws -> [String] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory)
        let nodes = names.compactMap { name -> Int? in
            guard name.hasPrefix("node-"), name.hasSuffix(".jsonl.gz") else { return nil }
            return Int(name.dropFirst("node-".count).dropLast(".jsonl.gz".count))
        }.sorted()
        var paths = nodes.map { nodeTracePath(node: $0) }
        if names.contains(Self.clientFileName) { paths.append(clientTracePath) }
        if names.contains(Self.chaosFileName) { paths.append(chaosTracePath) }
        return paths
    }

    /// Merges the per-stream files into `trace.jsonl.gz` (see `TraceMerge`), once no
    /// compressor process still writes one of them (a killed node's gzip child finishes what
    /// the node pushed, `TraceWriter.waitForCompressor(ofTrace:)`).
    @discardableResult
    public func writeMergedTrace() throws -> TraceMerge.Summary {
        let inputs = try sourceTracePaths()
        for path in inputs { try TraceWriter.waitForCompressor(ofTrace: path) }
        return try TraceMerge.merge(inputs: inputs, into: mergedTracePath)
    }
}
