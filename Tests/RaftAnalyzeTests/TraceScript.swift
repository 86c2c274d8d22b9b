import CZlib
import Foundation
@testable import RaftAnalyze
@testable import RaftTrace

/// A hand-written trace: events appended in order, `ts`, `seq` and `inc` filled in, written as
/// one gzip file. Tests use it to craft traces that break one property at a time.
struct TraceScript {
    private(set) var records: [TraceRecord] = []
    private var timestampUs: Int64 = 1_790_000_000_000_000
    private var incarnations: [Int: Int] = [:]
    private var sequences: [String: UInt64] = [:]

    /// Appends a node event of `node` in `term`; returns its 1-based line number.
    @discardableResult
    mutating func node(_ node: Int, term: UInt64, _ body: TraceBody) -> Int {
        let incarnation = incarnations[node, default: 0]
        return append(TraceRecord(timestampUs: tick(), node: node, incarnation: incarnation,
                                  sequence: nextSequence("n\(node).\(incarnation)"), term: term, body: body))
    }

    /// A client event about a request sent to `node`.
    @discardableResult
    mutating func client(_ node: Int, _ body: TraceBody) -> Int {
        append(TraceRecord(timestampUs: tick(), node: node, incarnation: 0, sequence: nextSequence("client"), term: 0, body: body))
    }

    /// Node `node` comes back as its next incarnation with `start`: after a crash, unless the
    /// script wrote the node's `stop` first.
    @discardableResult
    mutating func restart(_ node: Int, term: UInt64, logLength: Int, commitIndex: Int, votedFor: Int? = nil) -> Int {
        incarnations[node, default: 0] += 1
        return self.node(node, term: term, .start(logLength: logLength, commitIndex: commitIndex, votedFor: votedFor))
    }

    /// Starts nodes `0..<count` fresh.
    mutating func startCluster(_ count: Int) {
        for id in 0..<count { node(id, term: 0, .start(logLength: 0, commitIndex: 0, votedFor: nil)) }
    }

    /// Node `leader` wins `term` with every other node's vote (candidate role first).
    mutating func elect(_ leader: Int, term: UInt64, of count: Int, lastIndex: Int = 0, lastTerm: UInt64 = 0) {
        node(leader, term: term, .term(from: term - 1))
        node(leader, term: term, .role(.candidate, previous: .follower))
        for voter in 0..<count where voter != leader {
            node(voter, term: term, .term(from: term - 1))
            node(voter, term: term, .vote(candidate: leader, granted: true, preVote: false))
        }
        node(leader, term: term, .role(.leader, previous: .candidate))
        node(leader, term: term, .leader(lastIndex: lastIndex, lastTerm: lastTerm))
    }

    /// Entry `index` of `term` carrying `request` appended, committed and delivered on `nodes`.
    mutating func replicate(index: Int, term: UInt64, request: UInt64, on nodes: [Int], digest: UInt64? = nil) {
        let digest = digest ?? request &* 0x9E37_79B9_7F4A_7C15
        for id in nodes { node(id, term: term, .append(index: index, entryTerms: [term], digests: [digest])) }
        for id in nodes { node(id, term: term, .commit(index: index)) }
        for id in nodes { node(id, term: term, .deliver(index: index, entryTerm: term, digest: digest, request: request)) }
    }

    /// Writes the trace to `path` as one gzip member.
    func write(to path: String) throws {
        let member = try GzipMemberWriter(path: path, level: 1)
        let encoder = TraceLineEncoder()
        for record in records { encoder.encode(record) }
        try encoder.withBytes { try member.compress($0, flush: Z_FINISH) }
        try member.finish()
    }

    /// Writes the trace to a temporary file and analyses it.
    func analyze(in directory: TemporaryDirectory, name: String = "trace.jsonl.gz") throws -> AnalysisReport {
        let path = directory.file(name)
        try write(to: path)
        return try Analysis.run(AnalysisInputs(paths: [path]))
    }

    /// Appends `record` exactly as given (`ts`, `seq` and `inc` included); returns its line number.
    @discardableResult
    mutating func append(_ record: TraceRecord) -> Int {
        records.append(record)
        return records.count
    }

    private mutating func tick() -> Int64 {
        timestampUs += 1_000
        return timestampUs
    }

    private mutating func nextSequence(_ stream: String) -> UInt64 {
        defer { sequences[stream, default: 0] += 1 }
        return sequences[stream, default: 0]
    }
}

/// A fresh directory under the system's temporary directory.
struct TemporaryDirectory {
    let path: String

    init() {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("raftanalyze-\(UUID().uuidString)").path
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { path + "/" + name }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

extension AnalysisReport {
    /// The verdict on `property`.
    func check(_ property: SafetyProperty) -> PropertyVerdict {
        safety.first { $0.property == property.rawValue }!
    }

    /// Properties that are violated.
    var violated: Set<SafetyProperty> {
        Set(safety.filter { !$0.holds }.compactMap { SafetyProperty(rawValue: $0.property) })
    }
}
