import Foundation
import Testing
import RaftTrace

@Suite("docs/TRACE_FORMAT.md")
struct TraceFormatDocTests {
    /// The example lines of the document, from its `jsonl` block.
    static func exampleLines() throws -> [String] {
        let here = URL(fileURLWithPath: #filePath)
        let document = here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/TRACE_FORMAT.md")
        let text = try String(contentsOf: document, encoding: .utf8)
        guard let start = text.range(of: "```jsonl\n"), let end = text.range(of: "```", range: start.upperBound..<text.endIndex) else {
            return []
        }
        return text[start.upperBound..<end.lowerBound].split(separator: "\n").map(String.init)
    }

    @Test("every example parses and is exactly what the writer produces")
    func examplesRoundTrip() throws {
        let lines = try Self.exampleLines()
        #expect(lines.count >= TraceEventType.allCases.count)
        var types = Set<TraceEventType>()
        for line in lines {
            let record = try TraceRecord(jsonLine: line)
            types.insert(record.type)
            #expect(record.jsonLine == line + "\n")
        }
        #expect(types == Set(TraceEventType.allCases), "one example per type")
    }
}
