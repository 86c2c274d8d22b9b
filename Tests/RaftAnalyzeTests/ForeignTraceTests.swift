import CZlib
import Foundation
import Testing
@testable import RaftAnalyze
@testable import RaftTrace

/// Traces written by other tools to the schema: only the required fields, request ids
/// as strings, client lines without `v`, `inc` or `seq`.
@Suite("Traces from other writers")
struct ForeignTraceTests {
    /// Three nodes elect node 0 in term 1 and commit `requests`; node lines carry only the
    /// required fields, the client's carry `type`, `req`, `ts`, `node` and `index`.
    static func lines(requests: [String], acknowledged extra: String? = nil) -> (nodes: [String], client: [String]) {
        var nodes: [String] = []
        var client: [String] = []
        var sequence = [0, 0, 0]
        var clock = 1_700_000_000_000_000
        func node(_ id: Int, _ type: String, _ term: Int, _ fields: String) {
            clock += 10
            nodes.append("{\"v\":1,\"ts\":\(clock),\"node\":\(id),\"inc\":1,\"seq\":\(sequence[id]),\"type\":\"\(type)\",\"term\":\(term)\(fields)}")
            sequence[id] += 1
        }
        for id in 0..<3 { node(id, "start", 0, ",\"log_len\":0,\"commit\":0,\"vote\":null") }
        node(0, "term", 1, ",\"from\":0")
        node(0, "role", 1, ",\"role\":\"candidate\"")
        node(1, "term", 1, ",\"from\":0")
        node(1, "vote", 1, ",\"candidate\":0,\"granted\":true")
        node(0, "role", 1, ",\"role\":\"leader\"")
        node(0, "leader", 1, ",\"last_index\":0,\"last_term\":0")
        for (offset, request) in requests.enumerated() {
            let index = offset + 1
            let digest = String(index * 7919, radix: 16)  // not zero-padded: any 1-16 hex digits
            clock += 10
            client.append("{\"type\":\"invoke\",\"req\":\"\(request)\",\"ts\":\(clock),\"node\":0}")
            node(0, "propose", 1, ",\"req\":\"\(request)\",\"index\":\(index)")
            for id in 0..<3 { node(id, "append", 1, ",\"index\":\(index),\"count\":1,\"entry_terms\":[1],\"digests\":[\"\(digest)\"]") }
            for id in 0..<3 {
                node(id, "commit", 1, ",\"index\":\(index)")
                node(id, "deliver", 1, ",\"index\":\(index),\"entry_term\":1,\"digest\":\"\(digest)\",\"req\":\"\(request)\"")
            }
            clock += 10
            client.append("{\"type\":\"ok\",\"req\":\"\(request)\",\"ts\":\(clock),\"node\":0,\"index\":\(index)}")
        }
        if let extra {
            clock += 10
            client.append("{\"type\":\"invoke\",\"req\":\"\(extra)\",\"ts\":\(clock),\"node\":0}")
            clock += 10
            client.append("{\"type\":\"ok\",\"req\":\"\(extra)\",\"ts\":\(clock),\"node\":0}")
        }
        for id in 0..<3 { node(id, "stop", 1, "") }
        return (nodes, client)
    }

    /// Writes `nodes` and `client` as two gzip files in `directory` and analyses both.
    static func analyze(_ lines: (nodes: [String], client: [String]), in directory: TemporaryDirectory) throws -> AnalysisReport {
        try write(lines.nodes, to: directory.file("nodes.jsonl.gz"))
        try write(lines.client, to: directory.file("client.jsonl.gz"))
        return try Analysis.run(AnalysisInputs(paths: [directory.file("nodes.jsonl.gz"), directory.file("client.jsonl.gz")]))
    }

    static func write(_ lines: [String], to path: String) throws {
        let member = try GzipMemberWriter(path: path, level: 1)
        let bytes = Array((lines.joined(separator: "\n") + "\n").utf8)
        try bytes.withUnsafeBytes { try member.compress($0, flush: Z_FINISH) }
        try member.finish()
    }

    @Test("a minimal trace with string request ids is read without a malformed line, and holds")
    func minimalTraceHolds() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let report = try Self.analyze(Self.lines(requests: ["c1-1", "c1-2", "c2-1"]), in: directory)
        #expect(report.malformedLineCount == 0, Comment(rawValue: report.text))
        #expect(report.streamGapCount == 0, Comment(rawValue: report.text))
        #expect(report.isSafe, Comment(rawValue: report.text))
        #expect(report.statistics.acknowledged == 3)
        #expect(report.statistics.clientLatency?.count == 3)
    }

    @Test("an acknowledged string request missing from the committed sequence is reported by its name")
    func lostStringRequest() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let report = try Self.analyze(Self.lines(requests: ["c1-1", "c1-2"], acknowledged: "c1-9"), in: directory)
        #expect(report.violated == [.durability], Comment(rawValue: report.text))
        let violation = try #require(report.check(.durability).violations.first)
        #expect(violation.message.hasPrefix("request \"c1-9\" was acknowledged ok but is not in the committed sequence"))
        #expect(violation.evidence.first?.event.contains("\"req\":\"c1-9\"") == true, "\(violation.evidence)")
    }

    @Test("a string request delivered at two indexes is a duplicate")
    func duplicatedStringRequest() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let report = try Self.analyze(Self.lines(requests: ["c1-1", "c1-2", "c1-1"]), in: directory)
        #expect(report.violated.contains(.durability), Comment(rawValue: report.text))
        #expect(report.check(.durability).violations.contains { $0.message.hasPrefix("request \"c1-1\" was delivered at index 3 and at index 1") })
    }
}
